"""Re-encrypt every stored provider token under the newest key (`trainlytics rotate-keys`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.crypto import TokenCipher
from core.db.models import AccountTransfer, ConnectedAccount


async def rotate_all_tokens(session: AsyncSession, cipher: TokenCipher) -> int:
    """Returns how many accounts were re-encrypted. All or nothing: one transaction.

    Tokens waiting in an account transfer (its owner has not answered yet) are rotated
    too, without being counted: they become an account's tokens only if the owner agrees.
    """
    count = 0
    for account in await session.scalars(select(ConnectedAccount).with_for_update()):
        account.access_token_enc = cipher.rotate(account.access_token_enc)
        if account.refresh_token_enc:
            account.refresh_token_enc = cipher.rotate(account.refresh_token_enc)
        count += 1
    waiting = select(AccountTransfer).where(AccountTransfer.status == "pending")
    for transfer in await session.scalars(waiting.with_for_update()):
        transfer.access_token_enc = cipher.rotate(transfer.access_token_enc)
        if transfer.refresh_token_enc:
            transfer.refresh_token_enc = cipher.rotate(transfer.refresh_token_enc)
    return count
