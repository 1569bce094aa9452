"""What one sync step returns, when it is retried, and what it leaves in the sync log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import ConnectedAccount, SyncLog
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload
from core.sync.build import SyncContext
from core.sync.providers.base import ProviderUnavailable, RateLimited

MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class StepResult:
    finished: bool
    retry_at: datetime | None = None
    imported: int = 0
    outcome: str = "done"


async def delayed(
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
        log_sync(session, account, "delay", now, now, "delayed", 0, str(exc))
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


def mark_synced(account: ConnectedAccount, clock: Clock) -> None:
    account.last_sync_at = clock.now()
    account.delayed_notice_sent = False  # the next delay is news again


def log_sync(
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
