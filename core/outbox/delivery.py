"""Delivering the outbox: which chat, when, how fast, and what to do when a platform says no.

Core writes `notifications` rows (core.outbox.notifications.notify); this module hands the due
ones to the sender of the person's chat platform. The platform-specific part is small:

    class Sender(Protocol):
        platform: str                                  # "telegram", "slack", "console"
        async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt

A sender renders `view` (kind, payload, the person, an optional PNG) for its platform and
returns `SentReceipt(external_message_id)`. When `view.edit_of` is set (rows of one
progress message, e.g. a backfill's figures) it edits that message in place instead
(Telegram editMessageText, Slack chat.update) and returns the id of the message shown.
It signals trouble by raising:

- `RetryAfter(seconds)`    the platform asked us to slow down (HTTP 429 retry_after);
- `RecipientUnreachable`   the person blocked the bot / left the workspace: never retried;
- `TemporaryFailure`       outage, timeout, 5xx: retried with exponential backoff + jitter;
- `PermanentFailure`       the message itself is refused (bad request): not retried.
Any other exception is treated as temporary.

Delivery is at most once visibly: a row is claimed (status pending -> sending) before it
is sent, so a task that is redelivered or runs in two workers at once never picks it up
twice; a row left in "sending" by a worker that died between send and commit is marked
failed (outcome unknown) instead of being sent again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.engine import Database
from core.db.models import ChatIdentity, Notification, User
from core.enums import NotificationKind, NotificationStatus, Platform, Role

log = logging.getLogger(__name__)

# The roll-up of a person's "digest" rows into one daily message.
DAILY_DIGEST_KIND = "daily_digest"

# How long a claimed row may stay in "sending" before we assume its worker died.
CLAIM_LEASE = timedelta(minutes=2)
# Temporary failures back off 30 s, 60 s, 120 s ... capped at one hour, for about a day.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30
# Waiting for a rate-limit token longer than this defers the row instead of blocking.
MAX_INLINE_WAIT_S = 0.5
# Outcomes are written in group commits at most this often: each commit costs a few
# thread hops and an fsync, so one per message would cap delivery well below the
# platforms' limits. A killed worker loses at most this long's worth of outcomes.
RECORD_EVERY_S = 0.05


# --- what a sender receives and returns ----------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    locale: str
    timezone: str


@dataclass(frozen=True)
class ChatTarget:
    """Where to send: one chat identity of the person."""

    platform: str
    chat_id: str
    workspace_id: str = ""  # Slack team id; "" elsewhere
    identity_id: int | None = None


@dataclass(frozen=True)
class NotificationView:
    """One outbox row as a sender sees it. Rendering text per kind is the sender's job."""

    notification_id: int
    kind: str
    payload: Mapping[str, Any]
    person: Person
    target: ChatTarget
    idempotency_key: str
    image_png: bytes | None = None  # e.g. the weekly load chart
    # The platform's id of the message this one replaces in place (a progress figure, see
    # `progress_group`): the sender edits it, and sends a new message only when the old
    # one cannot be edited any more. None: a new message.
    edit_of: str | None = None


@dataclass(frozen=True)
class SentReceipt:
    external_message_id: str | None = None


class DeliveryError(Exception):
    """Base of what a sender raises; `str(exc)` is kept in the row's last_error."""


class RetryAfter(DeliveryError):
    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"rate limited, retry after {seconds:g} s")
        self.seconds = max(0.0, float(seconds))


class RecipientUnreachable(DeliveryError):
    """The person blocked the bot or left: stop sending to this chat identity."""


class TemporaryFailure(DeliveryError):
    """The platform is down or timed out: try again later."""


class PermanentFailure(DeliveryError):
    """The platform refuses this message for good."""


class Sender(Protocol):
    platform: str

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt: ...


# --- rate limits ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """A token bucket: `rate` tokens per second, holding at most `burst`."""

    key: str
    rate: float
    burst: float


class RateLimiter(Protocol):
    async def try_acquire(self, buckets: Sequence[Bucket]) -> float:
        """Take one token from every bucket, all or none.

        Returns 0.0 when taken, else the seconds until all buckets have a token (nothing
        is taken then). Shared by every worker process (workers.ratelimit).
        """
        ...


@dataclass(frozen=True)
class PlatformLimit:
    overall_per_s: float | None = None
    per_chat_per_s: float | None = None


# Telegram: ~30 messages/s per bot, 1/s per chat. Slack: ~1 message/s per channel.
DEFAULT_LIMITS: dict[str, PlatformLimit] = {
    Platform.TELEGRAM: PlatformLimit(overall_per_s=30, per_chat_per_s=1),
    Platform.SLACK: PlatformLimit(per_chat_per_s=1),
}


def buckets_for(target: ChatTarget, limits: Mapping[str, PlatformLimit]) -> list[Bucket]:
    limit = limits.get(target.platform)
    if limit is None:
        return []
    buckets = []
    if limit.overall_per_s:
        rate = limit.overall_per_s
        buckets.append(Bucket(f"rl:{target.platform}", rate, rate))
    if limit.per_chat_per_s:
        rate = limit.per_chat_per_s
        chat = f"{target.workspace_id}:{target.chat_id}"
        buckets.append(Bucket(f"rl:{target.platform}:chat:{chat}", rate, rate))
    return buckets


# --- rules ----------------------------------------------------------------------------


class RecipientLike(Protocol):
    """What the rules read of a person: a `User`, or a plain row of its columns."""

    @property
    def role(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def quiet_hours_start(self) -> time | None: ...
    @property
    def quiet_hours_end(self) -> time | None: ...


class ChatLike(Protocol):
    """What the rules read of a chat identity: a `ChatIdentity`, or a plain row."""

    @property
    def id(self) -> int: ...
    @property
    def platform(self) -> str: ...
    @property
    def workspace_id(self) -> str: ...
    @property
    def platform_user_id(self) -> str: ...
    @property
    def chat_id(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def unreachable_at(self) -> datetime | None: ...


def quiet_until(user: RecipientLike, now: datetime) -> datetime | None:
    """End of the person's quiet window (UTC) if `now` falls inside it, else None.

    The window is wall-clock time in the person's timezone and may wrap midnight
    (22:00-07:00); zoneinfo places its end correctly on DST days.
    """
    start, end = user.quiet_hours_start, user.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    tz = ZoneInfo(user.timezone or "UTC")
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tz).astimezone(UTC)


COACH_KINDS = frozenset(
    {
        NotificationKind.ATHLETE_COMMENT,
        NotificationKind.WORKOUT_COMPLETED,
        NotificationKind.ACTIVITY_RECORDED,
        NotificationKind.COACH_DIGEST,
    }
)


def choose_target(
    user: RecipientLike, identities: Sequence[ChatLike], kind: str, platforms: Sequence[str]
) -> ChatTarget | None:
    """The person's reachable chat: Slack first for coaches, Telegram first for athletes.

    Only platforms with a configured sender count; console is the last resort.
    """
    coach_side = user.role == Role.COACH or (user.role == Role.BOTH and kind in COACH_KINDS)
    order = (
        [Platform.SLACK, Platform.TELEGRAM, Platform.CONSOLE]
        if coach_side
        else [Platform.TELEGRAM, Platform.SLACK, Platform.CONSOLE]
    )
    usable = [
        i for i in identities if i.active and i.unreachable_at is None and i.platform in platforms
    ]
    for platform in order:
        for identity in usable:
            if identity.platform == platform:
                return ChatTarget(
                    platform=identity.platform,
                    chat_id=identity.chat_id or identity.platform_user_id,
                    workspace_id=identity.workspace_id,
                    identity_id=identity.id,
                )
    return None


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with "equal jitter": half the step fixed, half random.

    The fixed half guarantees real spacing; the random half spreads retries of many rows
    so that they do not all hit a recovering platform in the same second.
    """
    step = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    half = step / 2
    return half + half * (rng or random).random()


def progress_group(kind: str, payload: Mapping[str, Any]) -> str | None:
    """Rows that are successive figures of one chat message (`progress_of` + `generation`,
    written by core.sync's backfill), or None for an ordinary message."""
    if payload.get("progress_of") is None:
        return None
    return f"{kind}:{payload['progress_of']}:{payload.get('generation', '')}"


# --- the delivery loop ----------------------------------------------------------------

ImageRenderer = Callable[[AsyncSession, Notification, User], Awaitable[bytes | None]]

INTERRUPTED = (
    "delivery interrupted mid-send (the worker stopped after sending began and before the "
    "outcome was recorded); outcome unknown, not resent"
)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0  # quiet hours, rate limits, retry-after, temporary failures
    failed: int = 0
    unreachable: int = 0
    superseded: int = 0  # progress figures replaced by a newer one before being shown
    errors: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    row_id: int
    attempts: int
    view: NotificationView | None = None
    defer_until: datetime | None = None
    fail: str | None = None
    superseded: bool = False
    group: str | None = None  # progress_group of the row


@dataclass
class _Outcome:
    row_id: int
    attempts: int  # before this attempt
    at: datetime
    receipt: SentReceipt | None = None
    target: ChatTarget | None = None
    retry_at: datetime | None = None
    error: str | None = None
    final: bool = False  # failed for good
    unreachable_identity: int | None = None
    count_attempt: bool = True
    superseded: bool = False


async def deliver_due(
    db: Database,
    clock: Clock,
    senders: Mapping[str, Sender],
    limiter: RateLimiter,
    *,
    batch: int = 100,
    limits: Mapping[str, PlatformLimit] = DEFAULT_LIMITS,
    images: Mapping[str, ImageRenderer] | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Claim up to `batch` due rows, send them, record each outcome as soon as it is known.

    Returns what happened; call again while `report.claimed == batch` to drain the queue.
    """
    return await deliver_all_due(
        db,
        clock,
        senders,
        limiter,
        batch=batch,
        max_batches=1,
        limits=limits,
        images=images,
        rng=rng,
    )


async def deliver_all_due(
    db: Database,
    clock: Clock,
    senders: Mapping[str, Sender],
    limiter: RateLimiter,
    *,
    batch: int = 100,
    max_batches: int = 200,
    limits: Mapping[str, PlatformLimit] = DEFAULT_LIMITS,
    images: Mapping[str, ImageRenderer] | None = None,
    rng: random.Random | None = None,
    in_flight: int = 64,
) -> DeliveryReport:
    """Drain the due rows, `batch` at a time (at most `max_batches`, so a task ends).

    Three things run at once: the next batch is claimed and prepared while the current one
    is sent (one row after the other through the limiter, up to `in_flight` sends
    awaiting their platform), and finished outcomes are written in small group commits
    by one recorder. A killed worker therefore leaves behind only the rows it had claimed
    but not recorded (at most about two batches), and those are reported, not resent.
    """
    if images is None:
        from core.schedules.messages import IMAGE_RENDERERS

        images = IMAGE_RENDERERS
    run = _Run(db, clock, senders, limiter, limits, images, rng, in_flight)
    await expire_stale_claims(db, clock)
    await run.drain(batch, max_batches)
    return run.report


class _Run:
    """One drain of the outbox: the claimer, the sending loop and the recorder."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        senders: Mapping[str, Sender],
        limiter: RateLimiter,
        limits: Mapping[str, PlatformLimit],
        images: Mapping[str, ImageRenderer],
        rng: random.Random | None,
        in_flight: int,
    ) -> None:
        self.db, self.clock, self.senders, self.limiter = db, clock, senders, limiter
        self.limits, self.images, self.rng = limits, images, rng
        self.report = DeliveryReport()
        self.slots = asyncio.Semaphore(in_flight)
        # SQLite has one writer: claims and records take turns here instead of meeting
        # in SQLite's busy handler, which sleeps in coarse steps.
        self.write_lock = asyncio.Lock() if db.dialect == "sqlite" else _NoLock()
        self.unstarted: set[int] = set()  # claimed, send not begun: safe to hand back
        self.sends: set[asyncio.Task[_Outcome]] = set()
        self.progress_sends: dict[str, asyncio.Task[_Outcome]] = {}
        self.done: list[_Outcome] = []
        self.wake = asyncio.Event()
        self.finished = False

    async def drain(self, batch: int, max_batches: int) -> None:
        plans: asyncio.Queue[list[_Plan] | None] = asyncio.Queue(maxsize=1)
        claimer = asyncio.create_task(self._claim_batches(plans, batch, max_batches))
        recorder = asyncio.create_task(self._record_loop())
        try:
            while (chunk := await plans.get()) is not None:
                await self._send_chunk(chunk, recorder)
            await claimer
            await self._wait_sends()
        except BaseException:
            claimer.cancel()
            # Let the sends already under way finish (each is bounded by its sender's
            # timeout), record every outcome known and hand back what was never sent,
            # even while this task is being cancelled (the worker shuts down).
            await asyncio.shield(self._wind_down(claimer, recorder))
            raise
        self.finished = True
        self.wake.set()
        await recorder

    async def _wind_down(self, claimer: asyncio.Task[None], recorder: asyncio.Task[None]) -> None:
        await asyncio.gather(claimer, *self.sends, return_exceptions=True)
        self.finished = True
        self.wake.set()
        await asyncio.gather(recorder, return_exceptions=True)
        if self.unstarted:
            await release_claims(self.db, self.clock, sorted(self.unstarted))

    # -- claiming -------------------------------------------------------------------

    async def _claim_batches(
        self, plans: asyncio.Queue[list[_Plan] | None], batch: int, max_batches: int
    ) -> None:
        try:
            for _ in range(max_batches):
                async with self.write_lock:
                    claimed = await _claim(self.db, self.clock, batch)
                self.report.claimed += len(claimed)
                if claimed:
                    self.unstarted.update(row["id"] for row in claimed)
                    prepared = await _prepare(
                        self.db, self.clock, claimed, list(self.senders), self.images
                    )
                    await plans.put(prepared)
                if len(claimed) < batch:
                    break
        except BaseException:
            # Wake the sending loop so that it sees this failure; rows of a batch taken
            # off the queue stay in `unstarted` and are handed back.
            while not plans.empty():
                plans.get_nowait()
            plans.put_nowait(None)
            raise
        await plans.put(None)

    # -- sending --------------------------------------------------------------------

    async def _send_chunk(self, chunk: list[_Plan], recorder: asyncio.Task[None]) -> None:
        for plan in chunk:
            if recorder.done():
                await recorder  # it failed: stop sending what could not be recorded
            outcome = await self._admit(plan)
            if outcome is not None:
                self.unstarted.discard(plan.row_id)
                self._finish(outcome)
                continue
            await self.slots.acquire()
            # From here on the row counts as in flight: a stop no longer hands it back.
            self.unstarted.discard(plan.row_id)
            before = self.progress_sends.get(plan.group) if plan.group else None
            task = asyncio.create_task(self._send_in_turn(plan, before))
            if plan.group is not None:
                self.progress_sends[plan.group] = task
            self.sends.add(task)
            task.add_done_callback(self._sent)

    async def _admit(self, plan: _Plan) -> _Outcome | None:
        """None when the row may be sent now, else its outcome without sending."""
        now = self.clock.now()
        if plan.superseded:
            return _Outcome(plan.row_id, plan.attempts, now, superseded=True)
        if plan.defer_until is not None:
            return _Outcome(
                plan.row_id, plan.attempts, now, retry_at=plan.defer_until, count_attempt=False
            )
        if plan.view is None:
            return _Outcome(plan.row_id, plan.attempts, now, error=plan.fail, final=True)
        buckets = buckets_for(plan.view.target, self.limits)
        # The limiter says exactly how long until every bucket has a token, so one sleep
        # of that length is enough; no polling, and no other waiter races for the token
        # because rows go through this loop one at a time.
        while buckets and (wait := await self.limiter.try_acquire(buckets)) > 0:
            if wait > MAX_INLINE_WAIT_S:
                # One busy chat must not hold up everybody else's messages.
                retry_at = self.clock.now() + timedelta(seconds=wait)
                return _Outcome(
                    plan.row_id, plan.attempts, now, retry_at=retry_at, count_attempt=False
                )
            await asyncio.sleep(wait)
        return None

    async def _send_in_turn(self, plan: _Plan, before: asyncio.Task[_Outcome] | None) -> _Outcome:
        """Figures of one progress message go out one after the other, each editing the
        message the one before it (`before`) showed, so the person sees one message change."""
        if before is not None and plan.view is not None:
            shown = await asyncio.shield(before)
            if shown.receipt is not None and shown.receipt.external_message_id:
                plan.view = replace(plan.view, edit_of=shown.receipt.external_message_id)
        return await _send(plan, self.clock, self.senders)

    def _sent(self, task: asyncio.Task[_Outcome]) -> None:
        self.slots.release()
        if task.cancelled() or task.exception() is not None:
            return  # kept in self.sends: drain() re-raises it as the worker's death
        self.sends.discard(task)
        self._finish(task.result())

    def _finish(self, outcome: _Outcome) -> None:
        self.done.append(outcome)
        self.wake.set()

    async def _wait_sends(self) -> None:
        while self.sends:
            done, _ = await asyncio.wait(self.sends, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.cancelled():
                    raise asyncio.CancelledError
                if (exc := task.exception()) is not None:
                    raise exc

    # -- recording ------------------------------------------------------------------

    async def _record_loop(self) -> None:
        """Write whatever outcomes arrived since the last write, in one transaction."""
        while True:
            await self.wake.wait()
            if not self.finished:
                await asyncio.sleep(RECORD_EVERY_S)  # let a group gather
            self.wake.clear()
            outcomes, self.done = self.done, []
            if outcomes:
                await self._write(outcomes)
            if self.finished and not self.done:
                return

    async def _write(self, outcomes: list[_Outcome]) -> None:
        async with self.write_lock:
            await _record(self.db, outcomes, self.report, self.rng)


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


async def expire_stale_claims(db: Database, clock: Clock) -> int:
    """Rows stuck in "sending" past their lease: their worker died mid-send.

    They may or may not have reached the person; sending again could show the message
    twice, so they are failed with a visible reason and logged instead (at most once).
    """
    async with db.unit_of_work() as session:
        result = await session.execute(
            update(Notification)
            .where(
                Notification.status == NotificationStatus.SENDING,
                Notification.next_attempt_at <= clock.now(),
            )
            .values(status=NotificationStatus.FAILED, last_error=INTERRUPTED)
            .returning(Notification.id, Notification.recipient_id)
            .execution_options(synchronize_session=False)
        )
        stale = result.all()
    for row_id, recipient_id in stale:
        log.warning("notification %s to person %s: %s", row_id, recipient_id, INTERRUPTED)
    return len(stale)


async def release_claims(db: Database, clock: Clock, ids: Sequence[int]) -> None:
    """Hand claimed rows whose send never began back to the queue (a clean stop)."""
    async with db.unit_of_work() as session:
        await session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status == NotificationStatus.SENDING)
            .values(status=NotificationStatus.PENDING, next_attempt_at=clock.now())
            .execution_options(synchronize_session=False)
        )


_CLAIMED_COLUMNS = (
    Notification.id,
    Notification.recipient_id,
    Notification.kind,
    Notification.payload,
    Notification.idempotency_key,
    Notification.attempts,
)


async def _claim(db: Database, clock: Clock, batch: int) -> list[Mapping[str, Any]]:
    """Flip due rows pending -> sending in one statement, safe across concurrent workers.

    The row's next_attempt_at becomes the end of its lease. PostgreSQL: the inner SELECT
    ... FOR UPDATE SKIP LOCKED lets workers take disjoint rows without waiting. SQLite
    (one writer at a time, FOR UPDATE not rendered): the conditional `status = pending`
    in the UPDATE makes a second claimer match nothing. What the sender needs of each
    row comes back with the claim, so no second query reads it.
    """
    now = clock.now()
    due = (
        select(Notification.id)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    async with db.unit_of_work() as session:
        result = await session.execute(
            update(Notification)
            .where(Notification.id.in_(due), Notification.status == NotificationStatus.PENDING)
            .values(status=NotificationStatus.SENDING, next_attempt_at=now + CLAIM_LEASE)
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        return sorted((dict(r) for r in result.mappings()), key=lambda r: r["id"])


_USER_COLUMNS = (
    User.id,
    User.name,
    User.role,
    User.timezone,
    User.locale,
    User.quiet_hours_start,
    User.quiet_hours_end,
)
_IDENTITY_COLUMNS = (
    ChatIdentity.id,
    ChatIdentity.user_id,
    ChatIdentity.platform,
    ChatIdentity.workspace_id,
    ChatIdentity.platform_user_id,
    ChatIdentity.chat_id,
    ChatIdentity.active,
    ChatIdentity.unreachable_at,
)


async def _prepare(
    db: Database,
    clock: Clock,
    claimed: list[Mapping[str, Any]],
    platforms: list[str],
    images: Mapping[str, ImageRenderer],
) -> list[_Plan]:
    """Decide each claimed row's fate: send where, hold until when, or fail why.

    People and chats are read as plain rows rather than ORM objects: the rules only read
    a few columns, and building objects was the larger part of delivery's CPU time.
    """
    now = clock.now()
    plans = []
    recipients = {r["recipient_id"] for r in claimed}
    async with db.unit_of_work() as session:
        users = {
            u.id: u
            for u in await session.execute(select(*_USER_COLUMNS).where(User.id.in_(recipients)))
        }
        identities: dict[int, list[Any]] = {}
        for i in await session.execute(
            select(*_IDENTITY_COLUMNS)
            .where(ChatIdentity.user_id.in_(recipients))
            .order_by(ChatIdentity.id)
        ):
            identities.setdefault(i.user_id, []).append(i)
        for row in claimed:
            user = users[row["recipient_id"]]
            plan = _Plan(row["id"], row["attempts"])
            plans.append(plan)
            if (until := quiet_until(user, now)) is not None:
                plan.defer_until = until
                continue
            chats = identities.get(user.id, [])
            target = choose_target(user, chats, row["kind"], platforms)
            if target is None:
                plan.fail = "no reachable chat for this person"
                continue
            image = None
            if (renderer := images.get(row["kind"])) is not None:
                image = await renderer(
                    session,
                    await session.get_one(Notification, row["id"]),
                    await session.get_one(User, user.id),
                )
            plan.view = NotificationView(
                notification_id=row["id"],
                kind=row["kind"],
                payload=dict(row["payload"] or {}),
                person=Person(user.id, user.name, user.locale, user.timezone),
                target=target,
                idempotency_key=row["idempotency_key"],
                image_png=image,
            )
        await _link_progress(session, plans)
    return plans


async def _link_progress(session: AsyncSession, plans: list[_Plan]) -> None:
    """One chat message per progress group: the newest figure edits what was shown.

    Older figures of a group claimed together with a newer one are superseded (recorded
    as sent, never shown); the newest edits the message of the group's last sent row.
    """
    groups: dict[str, list[_Plan]] = {}
    for plan in plans:
        if plan.view is not None and (group := progress_group(plan.view.kind, plan.view.payload)):
            plan.group = group
            groups.setdefault(group, []).append(plan)
    if not groups:
        return
    newest: dict[str, _Plan] = {}
    for group, members in groups.items():
        *older, newest[group] = sorted(members, key=lambda p: p.row_id)
        for plan in older:
            plan.superseded = True
    views = [plan.view for plan in newest.values() if plan.view is not None]
    shown: dict[tuple[str, str | None], str] = {}
    for kind, payload, platform, message_id in await session.execute(
        select(
            Notification.kind,
            Notification.payload,
            Notification.platform,
            Notification.external_message_id,
        )
        .where(
            Notification.recipient_id.in_({v.person.user_id for v in views}),
            Notification.kind.in_({v.kind for v in views}),
            Notification.status == NotificationStatus.SENT,
            Notification.external_message_id.is_not(None),
        )
        .order_by(Notification.id)
    ):
        if group := progress_group(kind, payload or {}):
            shown[(group, platform)] = message_id  # ordered by id: the last one wins
    for group, plan in newest.items():
        assert plan.view is not None
        if message_id := shown.get((group, plan.view.target.platform)):
            plan.view = replace(plan.view, edit_of=message_id)


async def _send(plan: _Plan, clock: Clock, senders: Mapping[str, Sender]) -> _Outcome:
    assert plan.view is not None  # _admit answered every row without a view
    view, target = plan.view, plan.view.target
    out = _Outcome(plan.row_id, plan.attempts, clock.now(), target=target)
    try:
        out.receipt = await senders[target.platform].send(target, view)
    except RetryAfter as exc:
        out.retry_at, out.error = clock.now() + timedelta(seconds=exc.seconds), str(exc)
    except RecipientUnreachable as exc:
        out.unreachable_identity, out.error = target.identity_id, str(exc) or "unreachable"
    except PermanentFailure as exc:
        out.error, out.final = str(exc) or "refused by the platform", True
    except Exception as exc:
        out.error = f"{type(exc).__name__}: {exc}"
        log.warning("delivery of notification %s failed: %s", plan.row_id, out.error)
    out.at = clock.now()
    return out


async def _record(
    db: Database,
    outcomes: Sequence[_Outcome],
    report: DeliveryReport,
    rng: random.Random | None,
) -> None:
    """Write a group of outcomes: one executemany UPDATE per shape, one transaction."""
    sent: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    unreachable: list[tuple[int, datetime]] = []
    for out in outcomes:
        attempts = out.attempts + (1 if out.count_attempt else 0)
        if out.superseded:
            # Nothing to show: a newer figure of the same message is being shown instead.
            sent.append(
                {
                    "id": out.row_id,
                    "attempts": out.attempts,
                    "status": NotificationStatus.SENT,
                    "sent_at": out.at,
                    "platform": None,
                    "external_message_id": None,
                    "last_error": None,
                }
            )
            report.superseded += 1
            continue
        if out.receipt is not None:
            sent.append(
                {
                    "id": out.row_id,
                    "attempts": attempts,
                    "status": NotificationStatus.SENT,
                    "sent_at": out.at,
                    "platform": out.target.platform if out.target else None,
                    "external_message_id": out.receipt.external_message_id,
                    "last_error": None,
                }
            )
            report.sent += 1
            continue
        status, next_at = NotificationStatus.PENDING, out.at
        if out.unreachable_identity is not None:
            # Another of the person's chats may still reach them; the next pass chooses
            # again and fails the row if none is left.
            unreachable.append((out.unreachable_identity, out.at))
            report.unreachable += 1
        elif out.final:
            status = NotificationStatus.FAILED
            report.failed += 1
            if out.error:
                report.errors.append(out.error)
        elif attempts >= MAX_ATTEMPTS:
            status = NotificationStatus.FAILED
            report.failed += 1
        else:
            next_at = out.retry_at or out.at + backoff(attempts, rng)
            report.deferred += 1
        other.append(
            {
                "id": out.row_id,
                "attempts": attempts,
                "status": status,
                "next_attempt_at": next_at,
                "last_error": out.error,
            }
        )
    async with db.unit_of_work() as session:
        # ORM bulk UPDATE by primary key: an executemany, not one statement per row.
        for rows in (sent, other):
            if rows:
                await session.execute(update(Notification), rows)
        for identity_id, at in unreachable:
            await session.execute(
                update(ChatIdentity)
                .where(ChatIdentity.id == identity_id)
                .values(unreachable_at=at)
                .execution_options(synchronize_session=False)
            )


# --- digests --------------------------------------------------------------------------


async def roll_up_digest(
    session: AsyncSession, clock: Clock, user_id: int, day_label: str
) -> Notification | None:
    """Fold the person's waiting "digest" rows into one daily message (once per day)."""
    from core.outbox.notifications import notify

    rows = list(
        await session.scalars(
            select(Notification)
            .where(
                Notification.recipient_id == user_id,
                Notification.status == NotificationStatus.DIGEST,
            )
            .order_by(Notification.created_at, Notification.id)
        )
    )
    key = f"digest:{user_id}:{day_label}"
    already = await session.scalar(
        select(Notification.id).where(Notification.idempotency_key == key)
    )
    if not rows or already is not None:
        # Rows arriving after today's digest went out wait for tomorrow's.
        return None
    items = [{"kind": r.kind, "payload": r.payload, "id": r.id} for r in rows]
    digest = await notify(
        session,
        clock,
        recipient_id=user_id,
        kind=DAILY_DIGEST_KIND,
        payload={"date": day_label, "items": items},
        key=key,
        force=True,
    )
    for r in rows:
        r.status = NotificationStatus.SENT
        r.sent_at = clock.now()
        r.platform = "digest"
        r.external_message_id = f"digest:{digest.id}" if digest else None
    await session.flush()
    return digest
