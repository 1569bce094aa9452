"""A provider account another person already holds: its owner decides whether it moves.

Proving control of a provider account in some browser is not enough to take it over: the
newcomer's tokens are kept aside (encrypted) and the owner is asked in their chat; both
people are told the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.crypto import TokenCipher
from core.db.models import AccountTransfer, ConnectedAccount, User
from core.errors import NotFound
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload
from core.sync.connections.account_status import activate
from core.sync.providers.base import TokenSet

# How long an owner has to answer "move your account to someone else?".
TRANSFER_LIFETIME = timedelta(days=3)


async def request_transfer(
    session: AsyncSession,
    clock: Clock,
    cipher: TokenCipher,
    account: ConnectedAccount,
    to_user_id: int,
    token: TokenSet,
) -> AccountTransfer:
    """Keep the newcomer's tokens aside and ask the account's owner; tell the newcomer.

    An earlier request of the same person for the same account is replaced, so the owner
    answers the newest one only.
    """
    now = clock.now()
    for earlier in await session.scalars(
        select(AccountTransfer).where(
            AccountTransfer.account_id == account.id,
            AccountTransfer.to_user_id == to_user_id,
            AccountTransfer.status == TRANSFER_PENDING,
        )
    ):
        _close_transfer(earlier, TRANSFER_EXPIRED, now)
    transfer = AccountTransfer(
        account_id=account.id,
        from_user_id=account.user_id,
        to_user_id=to_user_id,
        access_token_enc=cipher.encrypt(token.access_token),
        refresh_token_enc=cipher.encrypt(token.refresh_token) if token.refresh_token else None,
        token_expires_at=token.expires_at,
        scopes=" ".join(token.scopes)[:255],
        expires_at=now + TRANSFER_LIFETIME,
    )
    session.add(transfer)
    await session.flush()
    newcomer = await session.get_one(User, to_user_id)
    owner = await session.get_one(User, account.user_id)
    await _tell_transfer(session, clock, transfer, account.user_id, "ask", newcomer.name)
    await _tell_transfer(session, clock, transfer, to_user_id, "waiting", owner.name)
    return transfer


TRANSFER_PENDING, TRANSFER_ACCEPTED, TRANSFER_REFUSED, TRANSFER_EXPIRED = (
    "pending",
    "accepted",
    "refused",
    "expired",
)


class TransferAnswer(StrEnum):
    MOVED = "moved"
    KEPT = "kept"
    GONE = "gone"  # decided already, expired, or the account changed hands meanwhile


@dataclass(frozen=True)
class TransferResult:
    answer: TransferAnswer
    provider: str = ""
    account_id: int | None = None
    newcomer: str = ""  # the name of who asked for the account


async def decide_transfer(
    session: AsyncSession,
    clock: Clock,
    transfer_id: int,
    owner_id: int,
    *,
    accept: bool,
    backfill_days: int,
) -> TransferResult:
    """The owner's answer. Raises `NotFound` for a transfer that is not theirs to decide.

    Yes: the account moves to the newcomer with the newcomer's tokens (moved as they are
    stored, encrypted: the chat holds no key) and a fresh backfill, which the caller
    queues; the owner's past activities stay theirs. No: the newcomer's tokens are
    forgotten. Both people are told either way.
    """
    transfer = await session.get(AccountTransfer, transfer_id, with_for_update=True)
    if transfer is None or transfer.from_user_id != owner_id:
        raise NotFound("refuse_there_no_such_request")
    account = await session.get(ConnectedAccount, transfer.account_id, with_for_update=True)
    now = clock.now()
    if transfer.status != TRANSFER_PENDING:
        return TransferResult(TransferAnswer.GONE)
    if transfer.expires_at <= now or account is None or account.user_id != owner_id:
        _close_transfer(transfer, TRANSFER_EXPIRED, now)
        return TransferResult(TransferAnswer.GONE)
    if accept:
        account.user_id = transfer.to_user_id
        activate(clock, account, backfill_days=backfill_days)
        account.access_token_enc = transfer.access_token_enc
        account.refresh_token_enc = transfer.refresh_token_enc
        account.expires_at = transfer.token_expires_at
        account.scopes = transfer.scopes
    _close_transfer(transfer, TRANSFER_ACCEPTED if accept else TRANSFER_REFUSED, now)
    answer = TransferAnswer.MOVED if accept else TransferAnswer.KEPT
    owner = await session.get_one(User, owner_id)
    newcomer = await session.get_one(User, transfer.to_user_id)
    # The owner pressed the button and reads the outcome in its answer; the newcomer
    # hears it here.
    await _tell_transfer(
        session, clock, transfer, transfer.to_user_id, f"{answer.value}_newcomer", owner.name
    )
    await session.flush()
    return TransferResult(
        answer, account.provider, account.id if accept else None, newcomer=newcomer.name
    )


def _close_transfer(transfer: AccountTransfer, status: str, now: datetime) -> None:
    """Decide the transfer and drop the tokens it held: they are needed no longer."""
    transfer.status = status
    transfer.decided_at = now
    transfer.access_token_enc = ""
    transfer.refresh_token_enc = None


async def _tell_transfer(
    session: AsyncSession,
    clock: Clock,
    transfer: AccountTransfer,
    recipient_id: int,
    step: str,
    other_name: str,
) -> None:
    account = await session.get_one(ConnectedAccount, transfer.account_id)
    await notify(
        session,
        clock,
        recipient_id=recipient_id,
        payload=SyncStatusPayload(
            provider=account.provider, transfer=step, transfer_id=transfer.id, other=other_name
        ),
        key=f"transfer:{transfer.id}:{step}",
        force=True,  # an account changing hands is never muted
    )
