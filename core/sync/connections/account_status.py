"""The states of a connected account, and what switches syncing on and off.

`active`: syncing. `disconnecting`: the athlete asked to disconnect; nothing syncs, but the
grant still lives at the provider and the tokens are still stored until
`core.sync.connections.disconnects.finish_disconnects` revokes the one and forgets the other.
`revoked`: off for good until the athlete connects again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import ConnectedAccount
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload

ACTIVE, REVOKED = "active", "revoked"
# Not active (nothing syncs) but the grant is still alive at the provider and the tokens
# are still stored: `finish_disconnects` revokes the one and forgets the other.
DISCONNECTING = "disconnecting"


def activate(clock: Clock, account: ConnectedAccount, *, backfill_days: int) -> None:
    """Syncing on, with a fresh backfill waiting to be queued."""
    account.status = ACTIVE
    account.sync_enabled = True
    account.delayed_notice_sent = False
    now = clock.now()
    account.backfill = {
        "status": "pending",
        "connected_at": now.isoformat(),
        "since": (now - timedelta(days=backfill_days)).isoformat(),
        "done": 0,
        "total": None,
        "cursor": None,
    }


async def disable_account(
    session: AsyncSession, clock: Clock, account: ConnectedAccount, *, reason: str
) -> bool:
    """Stop syncing and tell the athlete how to reconnect; False if it was already off.

    An account the athlete is disconnecting is already off: it stays `disconnecting`, so
    `finish_disconnects` still revokes the grant and forgets the tokens, and the athlete
    is not told to reconnect what they just chose to disconnect.
    """
    if account.status != ACTIVE:
        return False
    account.status = REVOKED
    account.sync_enabled = False
    await notify(
        session,
        clock,
        recipient_id=account.user_id,
        payload=SyncStatusPayload(
            provider=account.provider,
            revoked=True,
            reason=reason[:300],
            reconnect_command=f"/connect {account.provider}",
        ),
        key=f"sync:{account.id}:revoked:{clock.now().isoformat()}",
        force=True,
    )
    await session.flush()
    return True


def mark_disconnecting(account: ConnectedAccount) -> None:
    """The athlete's "disconnect", the database half: nothing syncs from now on."""
    account.status = DISCONNECTING
    account.sync_enabled = False


async def active_account(
    session: AsyncSession, provider_name: str, provider_user_id: str | None
) -> ConnectedAccount | None:
    if not provider_user_id:
        return None
    return await session.scalar(
        select(ConnectedAccount).where(
            ConnectedAccount.provider == provider_name,
            ConnectedAccount.provider_user_id == str(provider_user_id),
        )
    )
