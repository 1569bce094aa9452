"""Webhook events: stored once when they arrive, applied later by a worker.

The endpoint stores each event (unique on provider + event key, so a redelivery is a no-op)
and queues the new ones; `process_event` applies one: create, update, delete, deauthorize,
ping. An event whose enqueue was lost is found again by `stranded_events`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import ConnectedAccount, WebhookEvent
from core.sync.build import SyncContext
from core.sync.connections.account_status import ACTIVE, active_account
from core.sync.connections.stored_tokens import with_token
from core.sync.orchestrator.activity_refs import ref_from_json, ref_to_json
from core.sync.orchestrator.fetch_and_record import import_ref
from core.sync.orchestrator.provider_confirmations import (
    after_revocation,
    delete_provider_activity,
    gone_at_provider,
    revocation_confirmed,
)
from core.sync.orchestrator.step_results import StepResult, delayed, log_sync, mark_synced
from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    UntrustedEvent,
)
from core.sync.providers.base import (
    WebhookEvent as ProviderEvent,
)

# A stored event in one of these is never processed again.
FINAL_EVENT_STATUSES = frozenset({"done", "ignored", "rejected", "failed"})


def event_payload(event: ProviderEvent) -> dict[str, Any]:
    """What is stored for one webhook event: enough to process it later, JSON only."""
    return {
        "kind": event.kind,
        "provider_user_id": event.provider_user_id,
        "activity_id": event.activity_id,
        "updates": dict(event.updates),
        "ref": ref_to_json(event.activity_ref) if event.activity_ref else None,
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
    rows: list[tuple[int, dict[str, Any]]] = [
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
    dialect = session.get_bind().dialect.name
    upsert: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        upsert = postgresql.insert(WebhookEvent)
    elif dialect == "sqlite":
        upsert = sqlite.insert(WebhookEvent)
    else:  # another database: plain inserts, duplicates raise
        return {
            (values["provider"], values["event_key"]): (
                await session.execute(
                    insert(WebhookEvent).values(**values).returning(WebhookEvent.id)
                )
            ).scalar_one()
            for values in rows
        }
    statement = (
        upsert.values(rows)
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
        retry_at = await delayed(ctx, account_id, exc, attempt)
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
            mark_synced(account, ctx.clock)
            log_sync(session, account, "webhook", started, ctx.clock.now(), "done", imported)
    return StepResult(True, imported=imported)


async def _apply_event(
    ctx: SyncContext, account_id: int, provider_name: str, payload: Mapping[str, Any]
) -> int:
    kind = payload["kind"]
    provider = ctx.provider(provider_name)
    if kind in ("deauthorize", "permissions"):
        # Anyone can post a revocation (Strava's subscription id and Garmin's client id
        # are all it takes): only the provider refusing the athlete's token is believed.
        if not await revocation_confirmed(ctx, account_id, provider):
            raise UntrustedEvent(f"{provider_name} still grants access: revocation not confirmed")
        await after_revocation(ctx, account_id)
        return 0
    if kind == "delete":
        activity_id = str(payload["activity_id"])
        if not await gone_at_provider(ctx, account_id, provider_name, activity_id):
            raise UntrustedEvent(f"{provider_name} still serves activity {activity_id}")
        await delete_provider_activity(ctx, account_id, activity_id)
        return 0
    if kind == "ping":
        callback = (payload.get("updates") or {}).get("callback_url")
        if not callback or not hasattr(provider, "pull"):
            return 0
        refs = await with_token(ctx, account_id, lambda t: provider.pull(t, callback))
        return sum([await import_ref(ctx, account_id, ref, backfill=False) for ref in refs])
    ref = ref_from_json(payload["ref"]) if payload.get("ref") else None
    if ref is None:
        ref = ActivityRef(provider_name, str(payload["activity_id"]))  # type: ignore[arg-type]
    # An update re-fetches (a Strava title or privacy change too: the event is unsigned, so
    # only the provider's copy is recorded); core.activities.ingest tells the chats what changed.
    return await import_ref(ctx, account_id, ref, backfill=False)


def _close_event(row: WebhookEvent, clock: Clock, status: str, error: str | None) -> None:
    row.status = status
    row.processed_at = clock.now()
    row.error = error[:500] if error else None


async def _finish_event(ctx: SyncContext, event_id: int, status: str, error: str | None) -> None:
    async with ctx.db.unit_of_work() as session:
        row = await session.get(WebhookEvent, event_id)
        if row is not None:
            _close_event(row, ctx.clock, status, error)
