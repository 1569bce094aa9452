"""The hourly poll: recent activities the webhooks may have missed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db.models import Activity, ConnectedAccount
from core.sync.build import SyncContext
from core.sync.connections.account_status import ACTIVE
from core.sync.connections.stored_tokens import with_token
from core.sync.orchestrator.activity_refs import ref_order
from core.sync.orchestrator.fetch_and_record import import_ref
from core.sync.orchestrator.step_results import StepResult, delayed, log_sync, mark_synced
from core.sync.providers.base import AuthRevoked, ProviderUnavailable, RateLimited

# How far back the hourly poll looks: activities uploaded late still start inside it.
POLL_LOOKBACK = timedelta(days=3)
NO_POLL = frozenset({"garmin"})  # Garmin is push/ping only


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
        for ref in sorted(refs, key=ref_order):
            if ref.activity_id not in known:
                imported += await import_ref(ctx, account_id, ref, backfill=False)
    except (RateLimited, ProviderUnavailable) as exc:
        retry_at = await delayed(ctx, account_id, exc, attempt)
        return StepResult(False, retry_at=retry_at, imported=imported, outcome="delayed")
    except AuthRevoked:
        return StepResult(True, imported=imported, outcome="revoked")
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is not None:
            mark_synced(account, ctx.clock)
            log_sync(session, account, "poll", started, ctx.clock.now(), "done", imported)
    return StepResult(True, imported=imported)
