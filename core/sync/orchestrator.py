"""Provider sync on the database: backfill, webhook events, hourly poll.

Every entry point is one job a worker runs (`workers/tasks/sync.py` wraps them) and
returns a `StepResult`: finished, or to be retried at `retry_at` (rate limit, provider
outage). Any job may run twice: activities are upserted on (provider, provider activity
id) by `core.activities.ingest`, the backfill keeps a cursor in `ConnectedAccount.backfill` that
advances in the same transaction as each stored activity, and webhook events are stored
once and marked done.

History never floods anyone: backfilled activities, and webhook activities that started
before the account was connected, are recorded with `notify=False`. The athlete sees one
progress message (outbox rows of kind `sync_status` carrying `progress_of`, which the
sender edits in place) and, once per delay, a notice that the sync is late.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.ingest import delete_activity, record_activity
from core.activities.parsed import Sport
from core.activities.plausibility import ImplausibleActivity, check_activity
from core.clock import Clock
from core.db.models import Activity, ActivityStream, ConnectedAccount, SyncLog, WebhookEvent
from core.enums import ActivitySource
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload
from core.sync.build import SyncContext
from core.sync.connections.account_status import ACTIVE, active_account
from core.sync.connections.stored_tokens import with_token
from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    FetchedActivity,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TokenExpired,
    UntrustedEvent,
)
from core.sync.providers.base import (
    WebhookEvent as ProviderEvent,
)

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)

# How far back the hourly poll looks: activities uploaded late still start inside it.
POLL_LOOKBACK = timedelta(days=3)
MAX_BACKOFF = timedelta(hours=1)
PROGRESS_UPDATES = 10  # the progress message is edited about this many times
NO_POLL = frozenset({"garmin"})  # Garmin is push/ping only
# Providers whose terms ask that a revoking athlete's data be deleted (docs/providers.md).
DELETE_ON_REVOCATION = frozenset({"strava"})
# A stored event in one of these is never processed again.
FINAL_EVENT_STATUSES = frozenset({"done", "ignored", "rejected", "failed"})


@dataclass(frozen=True)
class StepResult:
    finished: bool
    retry_at: datetime | None = None
    imported: int = 0
    outcome: str = "done"


# ----------------------------------------------------------------------------- webhooks


def event_payload(event: ProviderEvent) -> dict[str, Any]:
    """What is stored for one webhook event: enough to process it later, JSON only."""
    return {
        "kind": event.kind,
        "provider_user_id": event.provider_user_id,
        "activity_id": event.activity_id,
        "updates": dict(event.updates),
        "ref": _ref_to_json(event.activity_ref) if event.activity_ref else None,
        "raw": dict(event.raw),
    }


async def store_webhook_events(
    session: AsyncSession, clock: Clock, provider: str, events: Sequence[ProviderEvent]
) -> list[int]:
    """Insert each event once; returns the ids of the new rows (a redelivery gives none)."""
    return (await store_webhook_deliveries(session, clock, [(provider, events)]))[0]


async def store_webhook_deliveries(
    session: AsyncSession,
    clock: Clock,
    deliveries: Sequence[tuple[str, Sequence[ProviderEvent]]],
) -> list[list[int]]:
    """Insert the events of several deliveries at once; per delivery, the ids of its new rows.

    One INSERT ... ON CONFLICT DO NOTHING for all of them, so two concurrent deliveries
    of the same event cannot both pass, and the webhook answers without a read first.
    An event already stored (or held twice in the batch) gives an id to no one, or to the
    first delivery that holds it, so each stored event is queued exactly once.
    """
    now = clock.now()
    rows = [
        (
            index,
            {
                "provider": provider,
                "event_key": event.event_key[:200],
                "received_at": now,
                "payload": event_payload(event),
                "status": "pending",
            },
        )
        for index, (provider, events) in enumerate(deliveries)
        for event in events
    ]
    new_ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = [values for _, values in rows[start : start + _INSERT_CHUNK]]
        new_ids.update(await _insert_new(session, chunk))
    ids: list[list[int]] = [[] for _ in deliveries]
    for index, values in rows:
        new_id = new_ids.pop((values["provider"], values["event_key"]), None)
        if new_id is not None:
            ids[index].append(new_id)
    return ids


# Rows per INSERT statement: 5 bound values each stays far below SQLite's variable limit.
_INSERT_CHUNK = 500


async def _insert_new(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """(provider, event key) -> id of each row actually inserted."""
    statement_for = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(
        session.bind.dialect.name
    )
    if statement_for is None:  # another database: plain inserts, duplicates raise
        return {
            (values["provider"], values["event_key"]): (
                await session.execute(
                    insert(WebhookEvent).values(**values).returning(WebhookEvent.id)
                )
            ).scalar_one()
            for values in rows
        }
    statement = (
        statement_for(WebhookEvent)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["provider", "event_key"])
        .returning(WebhookEvent.provider, WebhookEvent.event_key, WebhookEvent.id)
    )
    # RETURNING order is unspecified for a multi-row insert: match rows by their key.
    return {
        (provider, key): row_id
        for provider, key, row_id in (await session.execute(statement)).all()
    }


# A pending event never attempted after this long lost its enqueue (broker down at the
# moment it was stored): the housekeeping queues it again. Long enough that an event
# merely waiting in a busy queue is rarely queued twice (processing twice is harmless).
STRANDED_EVENT_AFTER = timedelta(minutes=15)
STRANDED_EVENTS_PER_RUN = 1000


async def stranded_events(ctx: SyncContext) -> list[int]:
    """Pending events never attempted and older than STRANDED_EVENT_AFTER, oldest first.

    An attempt that was delayed (rate limit, outage) records its error and is already
    scheduled again, so only events without an error count as stranded.
    """
    cutoff = ctx.clock.now() - STRANDED_EVENT_AFTER
    async with ctx.db.unit_of_work() as session:
        return list(
            await session.scalars(
                select(WebhookEvent.id)
                .where(
                    WebhookEvent.status == "pending",
                    WebhookEvent.error.is_(None),
                    WebhookEvent.received_at < cutoff,
                )
                .order_by(WebhookEvent.id)
                .limit(STRANDED_EVENTS_PER_RUN)
            )
        )


async def process_event(ctx: SyncContext, event_id: int, *, attempt: int = 0) -> StepResult:
    """Apply one stored webhook event: create, update, delete, deauthorize, ping."""
    async with ctx.db.unit_of_work() as session:
        row = await session.get(WebhookEvent, event_id)
        if row is None or row.status in FINAL_EVENT_STATUSES:
            return StepResult(True, outcome="already processed")
        payload, provider_name = dict(row.payload), row.provider
        account = await active_account(session, provider_name, payload.get("provider_user_id"))
        if account is None or account.status != ACTIVE or provider_name not in ctx.providers:
            _close_event(row, ctx.clock, "ignored", "no active connection for this account")
            return StepResult(True, outcome="ignored")
        account_id = account.id
    started = ctx.clock.now()
    try:
        imported = await _apply_event(ctx, account_id, provider_name, payload)
    except (RateLimited, ProviderUnavailable) as exc:
        retry_at = await _delayed(ctx, account_id, exc, attempt)
        async with ctx.db.unit_of_work() as session:
            row = await session.get(WebhookEvent, event_id)
            if row is not None:
                row.error = str(exc)[:500]
        return StepResult(False, retry_at=retry_at, outcome="delayed")
    except AuthRevoked as exc:
        await _finish_event(ctx, event_id, "failed", str(exc))
        return StepResult(True, outcome="revoked")
    except UntrustedEvent as exc:
        # Dropped for good: a retry would only knock on the same door again.
        await _finish_event(ctx, event_id, "rejected", str(exc))
        return StepResult(True, outcome="rejected")
    except ProviderError as exc:  # permanent by definition: retrying cannot fix it
        await _finish_event(ctx, event_id, "failed", str(exc))
        return StepResult(True, outcome="failed")
    await _finish_event(ctx, event_id, "done", None)
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is not None:
            _synced(account, ctx.clock)
            _log(session, account, "webhook", started, ctx.clock.now(), "done", imported)
    return StepResult(True, imported=imported)


async def _apply_event(
    ctx: SyncContext, account_id: int, provider_name: str, payload: Mapping[str, Any]
) -> int:
    kind = payload["kind"]
    provider = ctx.provider(provider_name)
    if kind in ("deauthorize", "permissions"):
        # Anyone can post a revocation (Strava's subscription id and Garmin's client id
        # are all it takes): only the provider refusing the athlete's token is believed.
        if not await _revocation_confirmed(ctx, account_id, provider):
            raise UntrustedEvent(f"{provider_name} still grants access: revocation not confirmed")
        await _after_revocation(ctx, account_id)
        return 0
    if kind == "delete":
        activity_id = str(payload["activity_id"])
        if not await _gone_at_provider(ctx, account_id, provider_name, activity_id):
            raise UntrustedEvent(f"{provider_name} still serves activity {activity_id}")
        await _delete_provider_activity(ctx, account_id, activity_id)
        return 0
    if kind == "ping":
        callback = (payload.get("updates") or {}).get("callback_url")
        if not callback or not hasattr(provider, "pull"):
            return 0
        refs = await with_token(ctx, account_id, lambda t: provider.pull(t, callback))
        return sum([await _import_ref(ctx, account_id, ref, backfill=False) for ref in refs])
    ref = _ref_from_json(payload["ref"]) if payload.get("ref") else None
    if ref is None:
        ref = ActivityRef(provider_name, str(payload["activity_id"]))  # type: ignore[arg-type]
    # An update re-fetches (a Strava title or privacy change too: the event is unsigned, so
    # only the provider's copy is recorded); core.activities.ingest tells the chats what changed.
    return await _import_ref(ctx, account_id, ref, backfill=False)


async def _delete_provider_activity(ctx: SyncContext, account_id: int, activity_id: str) -> None:
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        assert account is not None
        source = ActivitySource(account.provider)
        rows = await session.scalars(
            select(Activity).where(
                Activity.user_id == account.user_id,
                Activity.source == source,
                Activity.deleted_at.is_(None),
                or_(Activity.source_id == activity_id, Activity.source_id.like(f"{activity_id}:%")),
            )
        )
        for activity in list(rows):
            await delete_activity(session, ctx.clock, account.user_id, source, activity.source_id)


async def _gone_at_provider(
    ctx: SyncContext, account_id: int, provider_name: str, activity_id: str
) -> bool:
    """A deletion is believed once the provider answers 404 for the activity."""
    provider = ctx.provider(provider_name)
    ref = ActivityRef(provider_name, activity_id)  # type: ignore[arg-type]
    try:
        await with_token(ctx, account_id, lambda t: provider.fetch_activity(t, ref))
    except NotFound:
        return True
    return False


async def _revocation_confirmed(ctx: SyncContext, account_id: int, provider: Any) -> bool:
    """True once the provider refuses the athlete's token, refreshed once (`with_token`,
    which then disables the account and tells the athlete how to reconnect)."""
    try:
        await with_token(ctx, account_id, provider.check_access)
    except AuthRevoked:
        return True
    return False


async def _after_revocation(ctx: SyncContext, account_id: int) -> None:
    """What a confirmed revocation costs the athlete's data, per provider (docs/providers.md).

    Only Strava's API agreement asks for deletion: its activities are removed and their
    raw data and names wiped, quietly one by one, and the athlete hears it in one message.
    Garmin, Polar and COROS data stays; the athlete has already been told to reconnect.
    """
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is None or account.provider not in DELETE_ON_REVOCATION:
            return
        source = ActivitySource(account.provider)
        rows = await session.scalars(
            select(Activity).where(Activity.user_id == account.user_id, Activity.source == source)
        )
        deleted = 0
        for activity in list(rows):
            if activity.deleted_at is None:
                deleted += 1
                await delete_activity(
                    session, ctx.clock, account.user_id, source, activity.source_id, notify=False
                )
            activity.raw = None
            activity.name = None
        await notify(
            session,
            ctx.clock,
            recipient_id=account.user_id,
            payload=SyncStatusPayload(
                provider=account.provider,
                data_deleted=deleted,
                reconnect_command=f"/connect {account.provider}",
            ),
            key=f"sync:{account.id}:data-deleted:{ctx.clock.now().isoformat()}",
            force=True,
        )


# ----------------------------------------------------------------------------- importing


async def _import_ref(
    ctx: SyncContext, account_id: int, ref: ActivityRef, *, backfill: bool
) -> int:
    """Fetch one activity and record it; 0 when the provider says it is gone."""
    provider = ctx.provider(ref.provider)
    try:
        fetched = await with_token(ctx, account_id, lambda t: provider.fetch_activity(t, ref))
    except NotFound:
        return 0
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        assert account is not None
        return await _record_fetched(session, ctx.clock, account, fetched, backfill=backfill)


async def _record_fetched(
    session: AsyncSession,
    clock: Clock,
    account: ConnectedAccount,
    fetched: FetchedActivity,
    *,
    backfill: bool,
) -> int:
    """Each session of the fetched activity (several for a multisport file), idempotently."""
    connected_at = _parse_time((account.backfill or {}).get("connected_at"))
    count = 0
    for index, parsed in enumerate(fetched.activities):
        if fetched.name and len(fetched.activities) == 1:
            parsed.name = fetched.name
        source_id = fetched.activity_id if index == 0 else f"{fetched.activity_id}:{index}"
        try:
            # Checked before anything below touches the stored copy; record_activity
            # checks again (the one rule for every path).
            check_activity(parsed, clock.now())
        except ImplausibleActivity as exc:
            # Retrying cannot make it plausible: drop it, say so once, go on.
            log.warning(
                "activity_refused provider=%s account=%s source_id=%s reason=%s: %s",
                account.provider,
                account.id,
                source_id,
                exc.reason,
                exc,
            )
            continue
        # History (backfill, or a session that began before connecting) is recorded quietly.
        quiet = backfill or (connected_at is not None and parsed.start < connected_at)
        has_streams = parsed.streams is not None and len(parsed.streams) > 0
        if has_streams and await _stored_without_streams(session, account, source_id):
            # A summary recorded first (Garmin's manual-update summary before its file):
            # record_activity would only rename it, so the file's data replaces it. The
            # athlete already heard of this session: the replacement is quiet.
            await delete_activity(
                session,
                clock,
                account.user_id,
                ActivitySource(account.provider),
                source_id,
                notify=False,
            )
            quiet = True
        # An activity already stored is updated; core.activities.ingest announces what changed.
        await record_activity(
            session,
            clock,
            account.user_id,
            parsed,
            source=ActivitySource(account.provider),
            source_id=source_id,
            raw=fetched.raw_summary,
            is_private=fetched.private,
            notify=not quiet,
        )
        count += 1
    return count


async def _stored_without_streams(
    session: AsyncSession, account: ConnectedAccount, source_id: str
) -> bool:
    activity_id = await session.scalar(
        select(Activity.id).where(
            Activity.user_id == account.user_id,
            Activity.source == ActivitySource(account.provider),
            Activity.source_id == source_id,
            Activity.deleted_at.is_(None),
        )
    )
    return activity_id is not None and await session.get(ActivityStream, activity_id) is None


# ----------------------------------------------------------------------------- backfill


# A running backfill holds a lease, renewed with every activity it stores. A lease that
# ran out means its worker died or lost the database: the sweep queues it again and it
# resumes from its cursor. A trigger that never arrived (the broker was down when the
# account was connected) is found the same way once the connection is this old.
BACKFILL_LEASE = timedelta(minutes=10)
BACKFILL_TRIGGER_GRACE = timedelta(minutes=2)
_WAITING = ("pending", "running")


class _Superseded(Exception):
    """Another run of the same backfill took over (this one's lease had run out)."""


async def backfill_step(
    ctx: SyncContext, account_id: int, *, attempt: int = 0, limit: int | None = None
) -> StepResult:
    """Import the account's history, oldest first, resuming after the last stored one.

    `limit` caps how many activities this step imports (None: all). Garmin has no
    history listing: its backfill is requested and arrives through the webhook. Any
    failure releases the lease and propagates, so the job's retry (or the sweep)
    resumes from the cursor.
    """
    run = uuid.uuid4().hex
    claimed = await _claim_backfill(ctx, account_id, run)
    if isinstance(claimed, StepResult):
        return claimed
    provider_name, state = claimed
    try:
        return await _backfill_run(ctx, account_id, provider_name, state, run, attempt, limit)
    except _Superseded:
        return StepResult(True, outcome="superseded")
    except BaseException:
        await _release_backfill(ctx, account_id, run)
        raise


async def _claim_backfill(
    ctx: SyncContext, account_id: int, run: str
) -> StepResult | tuple[str, dict[str, Any]]:
    now = ctx.clock.now()
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is None or account.status != ACTIVE or account.provider not in ctx.providers:
            return StepResult(True, outcome="inactive")
        state = dict(account.backfill or {})
        if state.get("status") in ("done", "requested"):
            return StepResult(True, outcome="already done")
        lease = _parse_time(state.get("lease_until"))
        if lease is not None and lease > now and state.get("run") != run:
            return StepResult(True, outcome="already running")
        state.update(run=run, lease_until=(now + BACKFILL_LEASE).isoformat(), wake_at=None)
        account.backfill = state
        return account.provider, state


async def _release_backfill(ctx: SyncContext, account_id: int, run: str) -> None:
    """Best effort: the lease runs out by itself if the database is gone too."""
    try:
        async with ctx.db.unit_of_work() as session:
            account = await session.get(ConnectedAccount, account_id)
            if account is not None and (account.backfill or {}).get("run") == run:
                account.backfill = {**account.backfill, "run": None, "lease_until": None}
    except Exception:
        log.warning("backfill of account %s: lease not released", account_id, exc_info=True)


async def _backfill_run(
    ctx: SyncContext,
    account_id: int,
    provider_name: str,
    state: dict[str, Any],
    run: str,
    attempt: int,
    limit: int | None,
) -> StepResult:
    provider = ctx.provider(provider_name)
    since = _parse_time(state.get("since")) or ctx.clock.now() - timedelta(days=ctx.backfill_days)
    started = ctx.clock.now()
    imported = 0
    released = {"run": None, "lease_until": None}
    try:
        if provider_name == "garmin":
            now = ctx.clock.now()
            await with_token(ctx, account_id, lambda t: provider.request_backfill(t, since, now))  # type: ignore[attr-defined]
            await _update_backfill(
                ctx,
                account_id,
                {"status": "requested", **released},
                started,
                0,
                progress={"requested": True},
            )
            return StepResult(True, outcome="requested")
        refs = await with_token(ctx, account_id, lambda t: provider.list_activities(t, since))
        cursor = tuple(state["cursor"]) if state.get("cursor") else None
        remaining = sorted((r for r in refs if cursor is None or _order(r) > cursor), key=_order)
        done = int(state.get("done") or 0)
        total = done + len(remaining)
        if state.get("total") is None or state.get("total") != total:
            await _update_backfill(
                ctx,
                account_id,
                {"status": "running", "total": total},
                None,
                0,
                progress={"done": done, "total": total},
            )
        batch = remaining if limit is None else remaining[:limit]
        for ref in batch:
            imported += await _backfill_one(ctx, account_id, provider_name, ref, total, run)
        if len(batch) < len(remaining):
            await _release_backfill(ctx, account_id, run)
            return StepResult(
                False, retry_at=ctx.clock.now(), imported=imported, outcome="more to do"
            )
        await _update_backfill(
            ctx,
            account_id,
            {"status": "done", **released},
            started,
            imported,
            progress={"done": total, "total": total, "finished": True},
        )
        return StepResult(True, imported=imported)
    except (RateLimited, ProviderUnavailable) as exc:
        retry_at = await _delayed(ctx, account_id, exc, attempt)
        # Waiting is not being stuck: the sweep leaves it alone until the retry is due.
        await _update_backfill(
            ctx, account_id, {**released, "wake_at": retry_at.isoformat()}, None, 0, progress={}
        )
        return StepResult(False, retry_at=retry_at, imported=imported, outcome="delayed")
    except AuthRevoked:
        await _release_backfill(ctx, account_id, run)
        return StepResult(True, imported=imported, outcome="revoked")


async def _backfill_one(
    ctx: SyncContext, account_id: int, provider_name: str, ref: ActivityRef, total: int, run: str
) -> int:
    """Fetch and store one activity; advance the cursor and renew the lease with it."""
    provider = ctx.provider(provider_name)
    fetched: FetchedActivity | None
    try:
        fetched = await with_token(ctx, account_id, lambda t: provider.fetch_activity(t, ref))
    except (RateLimited, ProviderUnavailable, AuthRevoked, TokenExpired):
        raise
    except (NotFound, ProviderError):
        fetched = None  # gone, or a file no reader understands: skip it, never block history
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        assert account is not None
        state = dict(account.backfill or {})
        if state.get("run") != run:
            raise _Superseded
        count = 0
        if fetched is not None:
            count = await _record_fetched(session, ctx.clock, account, fetched, backfill=True)
        state["cursor"] = list(_order(ref))
        state["done"] = int(state.get("done") or 0) + 1
        state["lease_until"] = (ctx.clock.now() + BACKFILL_LEASE).isoformat()
        account.backfill = state
        step = max(1, math.ceil(total / PROGRESS_UPDATES))
        if state["done"] % step == 0 and state["done"] < total:
            await _progress(session, ctx.clock, account, {"done": state["done"], "total": total})
        return count


async def backfills_to_resume(ctx: SyncContext) -> list[int]:
    """Backfills that should be running and are not: their lease ran out (worker died,
    database connection lost) or their trigger never reached a worker (broker down)."""
    now = ctx.clock.now()
    async with ctx.db.unit_of_work() as session:
        rows = await session.execute(
            select(ConnectedAccount.id, ConnectedAccount.provider, ConnectedAccount.backfill)
            .where(
                ConnectedAccount.status == ACTIVE,
                ConnectedAccount.backfill["status"].as_string().in_(_WAITING),
            )
            .order_by(ConnectedAccount.id)
        )
        return [
            account_id
            for account_id, provider, state in rows
            if provider in ctx.providers and _stalled(state or {}, now)
        ]


def _stalled(state: Mapping[str, Any], now: datetime) -> bool:
    lease = _parse_time(state.get("lease_until"))
    if lease is not None and lease > now:
        return False
    wake = _parse_time(state.get("wake_at"))
    if wake is not None and wake + BACKFILL_TRIGGER_GRACE > now:
        return False
    connected = _parse_time(state.get("connected_at"))
    return connected is None or connected + BACKFILL_TRIGGER_GRACE <= now


async def _update_backfill(
    ctx: SyncContext,
    account_id: int,
    changes: Mapping[str, Any],
    started: datetime | None,
    imported: int,
    *,
    progress: Mapping[str, Any],
) -> None:
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        assert account is not None
        account.backfill = {**(account.backfill or {}), **changes}
        if progress:
            await _progress(session, ctx.clock, account, progress)
        if started is not None:
            _synced(account, ctx.clock)
            _log(session, account, "backfill", started, ctx.clock.now(), "done", imported)


async def _progress(
    session: AsyncSession, clock: Clock, account: ConnectedAccount, values: Mapping[str, Any]
) -> None:
    """One outbox row per progress figure; the sender edits one chat message per account.

    Rows share `progress_of` (the account id) and `generation` (the connection time), so
    the sender can edit the message it sent for the same account and generation, and
    skip a row when a newer one for the same message is already waiting.
    """
    generation = (account.backfill or {}).get("connected_at", "")
    figures = ":".join(f"{k}={v}" for k, v in sorted(values.items()))
    await notify(
        session,
        clock,
        recipient_id=account.user_id,
        payload=SyncStatusPayload.model_validate(
            {
                "progress_of": account.id,
                "generation": generation,
                "provider": account.provider,
                **values,
            }
        ),
        key=f"sync:{account.id}:backfill:{generation}:{figures}"[:200],
        force=True,
    )


# ----------------------------------------------------------------------------- hourly poll


async def accounts_to_poll(ctx: SyncContext) -> list[int]:
    """Active accounts of providers that allow polling, whose backfill has finished."""
    async with ctx.db.unit_of_work() as session:
        rows = await session.scalars(
            select(ConnectedAccount).where(
                ConnectedAccount.status == ACTIVE, ConnectedAccount.sync_enabled.is_(True)
            )
        )
        return [
            a.id
            for a in rows
            if a.provider in ctx.providers
            and a.provider not in NO_POLL
            and (a.backfill or {}).get("status") == "done"
        ]


async def poll_account(ctx: SyncContext, account_id: int, *, attempt: int = 0) -> StepResult:
    """Fetch what webhooks may have missed: recent activities not stored yet."""
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is None or account.status != ACTIVE or account.provider in NO_POLL:
            return StepResult(True, outcome="inactive")
        provider_name, user_id = account.provider, account.user_id
        since = (account.last_sync_at or ctx.clock.now()) - POLL_LOOKBACK
    provider = ctx.provider(provider_name)
    started = ctx.clock.now()
    imported = 0
    try:
        refs = await with_token(ctx, account_id, lambda t: provider.list_activities(t, since))
        async with ctx.db.unit_of_work() as session:
            known = set(
                await session.scalars(
                    select(Activity.source_id).where(
                        Activity.user_id == user_id, Activity.source == provider_name
                    )
                )
            )
        for ref in sorted(refs, key=_order):
            if ref.activity_id not in known:
                imported += await _import_ref(ctx, account_id, ref, backfill=False)
    except (RateLimited, ProviderUnavailable) as exc:
        retry_at = await _delayed(ctx, account_id, exc, attempt)
        return StepResult(False, retry_at=retry_at, imported=imported, outcome="delayed")
    except AuthRevoked:
        return StepResult(True, imported=imported, outcome="revoked")
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is not None:
            _synced(account, ctx.clock)
            _log(session, account, "poll", started, ctx.clock.now(), "done", imported)
    return StepResult(True, imported=imported)


# ----------------------------------------------------------------------------- helpers


async def _delayed(
    ctx: SyncContext, account_id: int, exc: RateLimited | ProviderUnavailable, attempt: int
) -> datetime:
    """When to retry, and a notice to the athlete the first time a sync is held back."""
    now = ctx.clock.now()
    if isinstance(exc, RateLimited):
        retry_at = exc.retry_at
    else:
        backoff = timedelta(seconds=max(exc.retry_after, 1.0) * 2 ** min(attempt, 10))
        retry_at = now + min(backoff, MAX_BACKOFF)
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is None:
            return retry_at
        _log(session, account, "delay", now, now, "delayed", 0, str(exc))
        if not account.delayed_notice_sent:
            account.delayed_notice_sent = True
            await notify(
                session,
                ctx.clock,
                recipient_id=account.user_id,
                payload=SyncStatusPayload(
                    provider=account.provider, delayed=True, retry_at=retry_at
                ),
                key=f"sync:{account.id}:delayed:{now.isoformat()}",
                force=True,
            )
    return retry_at


def _synced(account: ConnectedAccount, clock: Clock) -> None:
    account.last_sync_at = clock.now()
    account.delayed_notice_sent = False  # the next delay is news again


def _log(
    session: AsyncSession,
    account: ConnectedAccount,
    kind: str,
    started: datetime,
    finished: datetime,
    status: str,
    fetched: int,
    message: str | None = None,
) -> None:
    session.add(
        SyncLog(
            account_id=account.id,
            user_id=account.user_id,
            provider=account.provider,
            kind=kind,
            started_at=started,
            finished_at=finished,
            status=status,
            fetched=fetched,
            message=message[:1000] if message else None,
        )
    )


def _close_event(row: WebhookEvent, clock: Clock, status: str, error: str | None) -> None:
    row.status = status
    row.processed_at = clock.now()
    row.error = error[:500] if error else None


async def _finish_event(ctx: SyncContext, event_id: int, status: str, error: str | None) -> None:
    async with ctx.db.unit_of_work() as session:
        row = await session.get(WebhookEvent, event_id)
        if row is not None:
            _close_event(row, ctx.clock, status, error)


def _order(ref: ActivityRef) -> tuple[str, int, str]:
    """Oldest first; ids of equal length compare numerically, so ties stay stable."""
    start = ref.start.astimezone(UTC).isoformat() if ref.start else ""
    return (start, len(ref.activity_id), ref.activity_id)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _ref_to_json(ref: ActivityRef) -> dict[str, Any]:
    return {
        "provider": ref.provider,
        "activity_id": ref.activity_id,
        "start": ref.start.isoformat() if ref.start else None,
        "updated": ref.updated.isoformat() if ref.updated else None,
        "sport_hint": ref.sport_hint.value if ref.sport_hint else None,
        "download_url": ref.download_url,
        "summary": dict(ref.summary) if ref.summary is not None else None,
        "pull_from": ref.pull_from,
    }


def _ref_from_json(data: Mapping[str, Any]) -> ActivityRef:
    return ActivityRef(
        provider=data["provider"],
        activity_id=str(data["activity_id"]),
        start=_parse_time(data.get("start")),
        updated=_parse_time(data.get("updated")),
        sport_hint=Sport(data["sport_hint"]) if data.get("sport_hint") else None,
        download_url=data.get("download_url"),
        summary=data.get("summary"),
        pull_from=data.get("pull_from"),
    )
