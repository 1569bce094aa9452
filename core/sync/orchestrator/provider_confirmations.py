"""A webhook is only a hint: deletions and revocations are believed once the provider confirms.

Anyone can post a revocation or a deletion (docs/security.md): a deletion is believed when
the provider answers 404 for the activity, a revocation when it refuses the athlete's token.
What a confirmed revocation costs the athlete's data is the provider's rule
(docs/providers.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from core.activities.ingest.edits import delete_activity
from core.db.models import Activity, ConnectedAccount
from core.enums import ActivitySource
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload
from core.sync.build import SyncContext
from core.sync.connections.stored_tokens import with_token
from core.sync.providers.base import ActivityRef, AuthRevoked, NotFound

# Providers whose terms ask that a revoking athlete's data be deleted (docs/providers.md).
DELETE_ON_REVOCATION = frozenset({"strava"})


async def delete_provider_activity(ctx: SyncContext, account_id: int, activity_id: str) -> None:
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


async def gone_at_provider(
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


async def revocation_confirmed(ctx: SyncContext, account_id: int, provider: Any) -> bool:
    """True once the provider refuses the athlete's token, refreshed once (`with_token`,
    which then disables the account and tells the athlete how to reconnect)."""
    try:
        await with_token(ctx, account_id, provider.check_access)
    except AuthRevoked:
        return True
    return False


async def after_revocation(ctx: SyncContext, account_id: int) -> None:
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
