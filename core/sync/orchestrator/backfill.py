"""The history of a newly connected account, imported oldest first and quietly.

A cursor in `ConnectedAccount.backfill` advances in the same transaction as each stored
activity, so a step that dies resumes after the last one stored. The athlete sees one
progress message, edited in place.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import ConnectedAccount
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload
from core.sync.build import SyncContext
from core.sync.connections.account_status import ACTIVE
from core.sync.connections.stored_tokens import with_token
from core.sync.orchestrator.activity_refs import parse_time, ref_order
from core.sync.orchestrator.fetch_and_record import record_fetched
from core.sync.orchestrator.step_results import StepResult, delayed, log_sync, mark_synced
from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    FetchedActivity,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TokenExpired,
)

log = logging.getLogger(__name__)

PROGRESS_UPDATES = 10  # the progress message is edited about this many times


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
        lease = parse_time(state.get("lease_until"))
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
    since = parse_time(state.get("since")) or ctx.clock.now() - timedelta(days=ctx.backfill_days)
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
        remaining = sorted(
            (r for r in refs if cursor is None or ref_order(r) > cursor), key=ref_order
        )
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
        retry_at = await delayed(ctx, account_id, exc, attempt)
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
            count = await record_fetched(session, ctx.clock, account, fetched, backfill=True)
        state["cursor"] = list(ref_order(ref))
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
    lease = parse_time(state.get("lease_until"))
    if lease is not None and lease > now:
        return False
    wake = parse_time(state.get("wake_at"))
    if wake is not None and wake + BACKFILL_TRIGGER_GRACE > now:
        return False
    connected = parse_time(state.get("connected_at"))
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
            mark_synced(account, ctx.clock)
            log_sync(session, account, "backfill", started, ctx.clock.now(), "done", imported)


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
