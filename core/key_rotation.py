"""Re-encrypt every stored provider token under the newest key (`trainlytics rotate-keys`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.crypto import TokenCipher
from core.db.models import ConnectedAccount


async def rotate_all_tokens(session: AsyncSession, cipher: TokenCipher) -> int:
    """Returns how many accounts were re-encrypted. All or nothing: one transaction."""
    count = 0
    for account in await session.scalars(select(ConnectedAccount).with_for_update()):
        account.access_token_enc = cipher.rotate(account.access_token_enc)
        if account.refresh_token_enc:
            account.refresh_token_enc = cipher.rotate(account.refresh_token_enc)
        count += 1
    return count
