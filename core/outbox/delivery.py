"""Delivering the outbox: the loop that claims due rows, sends them and records outcomes.

Core writes `notifications` rows (core.outbox.notifications.notify); this module hands the
due ones to the sender of the person's chat platform (the contract: core.outbox.sending).
Around it: which chat (routing), when (quiet_hours, retry), how fast (limits), claims and
their leases (claims), progress messages edited in place (progress), pictures drawn at
send time (images). A row whose stored payload no longer fits its kind's type
(core.outbox.payloads) is failed with the reason, logged, and the rest of the batch goes.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.engine import Database
from core.db.models import ChatIdentity, Notification, User
from core.enums import NotificationStatus
from core.outbox.claims import claim, expire_stale_claims, release_claims
from core.outbox.images import IMAGE_RENDERERS, ImageRenderer
from core.outbox.limits import DEFAULT_LIMITS, PlatformLimit, RateLimiter, buckets_for
from core.outbox.outcomes import DeliveryReport, Outcome, record_outcomes
from core.outbox.payloads import PayloadInvalid, read_payload
from core.outbox.progress import progress_group
from core.outbox.quiet_hours import quiet_until
from core.outbox.routing import choose_target
from core.outbox.sending import (
    NotificationView,
    PermanentFailure,
    Person,
    RecipientUnreachable,
    RetryAfter,
    Sender,
)

log = logging.getLogger(__name__)

# Waiting for a rate-limit token longer than this defers the row instead of blocking.
MAX_INLINE_WAIT_S = 0.5
# Outcomes are written in group commits at most this often: each commit costs a few
# thread hops and an fsync, so one per message would cap delivery well below the
# platforms' limits. A killed worker loses at most this long's worth of outcomes.
RECORD_EVERY_S = 0.05


# --- the delivery loop ----------------------------------------------------------------


@dataclass
class _Plan:
    row_id: int
    attempts: int
    view: NotificationView | None = None
    defer_until: datetime | None = None
    fail: str | None = None
    superseded: bool = False
    group: str | None = None  # progress_group of the row


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
        self.sends: set[asyncio.Task[Outcome]] = set()
        self.progress_sends: dict[str, asyncio.Task[Outcome]] = {}
        self.done: list[Outcome] = []
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
                    claimed = await claim(self.db, self.clock, batch)
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

    async def _admit(self, plan: _Plan) -> Outcome | None:
        """None when the row may be sent now, else its outcome without sending."""
        now = self.clock.now()
        if plan.superseded:
            return Outcome(plan.row_id, plan.attempts, now, superseded=True)
        if plan.defer_until is not None:
            return Outcome(
                plan.row_id, plan.attempts, now, retry_at=plan.defer_until, count_attempt=False
            )
        if plan.view is None:
            return Outcome(plan.row_id, plan.attempts, now, error=plan.fail, final=True)
        buckets = buckets_for(plan.view.target, self.limits)
        # The limiter says exactly how long until every bucket has a token, so one sleep
        # of that length is enough; no polling, and no other waiter races for the token
        # because rows go through this loop one at a time.
        while buckets and (wait := await self.limiter.try_acquire(buckets)) > 0:
            if wait > MAX_INLINE_WAIT_S:
                # One busy chat must not hold up everybody else's messages.
                retry_at = self.clock.now() + timedelta(seconds=wait)
                return Outcome(
                    plan.row_id, plan.attempts, now, retry_at=retry_at, count_attempt=False
                )
            await asyncio.sleep(wait)
        return None

    async def _send_in_turn(self, plan: _Plan, before: asyncio.Task[Outcome] | None) -> Outcome:
        """Figures of one progress message go out one after the other, each editing the
        message the one before it (`before`) showed, so the person sees one message change."""
        if before is not None and plan.view is not None:
            shown = await asyncio.shield(before)
            if shown.receipt is not None and shown.receipt.external_message_id:
                plan.view = replace(plan.view, edit_of=shown.receipt.external_message_id)
        return await _send(plan, self.clock, self.senders)

    def _sent(self, task: asyncio.Task[Outcome]) -> None:
        self.slots.release()
        if task.cancelled() or task.exception() is not None:
            return  # kept in self.sends: drain() re-raises it as the worker's death
        self.sends.discard(task)
        self._finish(task.result())

    def _finish(self, outcome: Outcome) -> None:
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

    async def _write(self, outcomes: list[Outcome]) -> None:
        async with self.write_lock:
            await record_outcomes(self.db, outcomes, self.report, self.rng)


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


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
            try:
                typed = read_payload(row["kind"], row["payload"])
            except PayloadInvalid as exc:
                # An old row its kind's type no longer accepts: fail it with the reason
                # (kept in last_error) rather than stop the batch on it.
                plan.fail = str(exc)
                log.warning("notification %s to person %s: %s", row["id"], user.id, exc)
                continue
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
                typed=typed,
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


async def _send(plan: _Plan, clock: Clock, senders: Mapping[str, Sender]) -> Outcome:
    assert plan.view is not None  # _admit answered every row without a view
    view, target = plan.view, plan.view.target
    out = Outcome(plan.row_id, plan.attempts, clock.now(), target=target)
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
