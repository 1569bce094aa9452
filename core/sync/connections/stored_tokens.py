"""A connected account's tokens: encrypted at rest, refreshed under a per-account lock.

Strava and Garmin rotate refresh tokens, so two workers refreshing the same account at once
would burn one of them. `fresh_token` refreshes behind a per-account lock (`SELECT ... FOR
UPDATE` on PostgreSQL; on SQLite the database write lock, taken by an UPDATE), re-reads the
row once it holds the lock and skips the refresh when another worker already did it, and
stores the new pair before anyone uses it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.crypto import TokenCipher
from core.db.models import ConnectedAccount
from core.sync.build import SyncContext
from core.sync.connections.account_status import ACTIVE, disable_account
from core.sync.providers.base import AuthRevoked, TokenExpired, TokenSet

T = TypeVar("T")

# Refresh a little early so a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(minutes=10)


def read_token(cipher: TokenCipher, account: ConnectedAccount) -> TokenSet:
    return TokenSet(
        access_token=cipher.decrypt(account.access_token_enc),
        refresh_token=cipher.decrypt(account.refresh_token_enc)
        if account.refresh_token_enc
        else None,
        expires_at=account.expires_at,
        scopes=tuple(s for s in (account.scopes or "").split() if s),
        provider_user_id=account.provider_user_id,
    )


def write_token(cipher: TokenCipher, account: ConnectedAccount, token: TokenSet) -> None:
    account.access_token_enc = cipher.encrypt(token.access_token)
    account.refresh_token_enc = cipher.encrypt(token.refresh_token) if token.refresh_token else None
    account.expires_at = token.expires_at
    account.scopes = " ".join(token.scopes)[:255]


async def lock_account(session: AsyncSession, account_id: int) -> ConnectedAccount | None:
    """The account row, locked for this transaction and re-read from the database."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write takes the database write lock, which other
        # writers wait for (busy_timeout) until this transaction ends.
        await session.execute(
            update(ConnectedAccount)
            .where(ConnectedAccount.id == account_id)
            .values(status=ConnectedAccount.status)
        )
    return await session.scalar(
        select(ConnectedAccount)
        .where(ConnectedAccount.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def fresh_token(
    ctx: SyncContext, account_id: int, *, refused_access_token: str | None = None
) -> TokenSet:
    """A usable token: refreshed (under the account lock) when it expires soon or was refused.

    `refused_access_token`: the token a provider just answered 401 to. If the stored
    token differs, another worker refreshed meanwhile and its token is returned as is.
    Raises `AuthRevoked` when the account is disabled or the provider refuses the refresh.
    """
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is None or account.status != ACTIVE:
            raise AuthRevoked("this connection is no longer active")
        token = read_token(ctx.cipher, account)
    if refused_access_token is None and not token.expires_within(REFRESH_MARGIN, ctx.clock.now()):
        return token  # the common case takes no lock
    provider = ctx.provider(account.provider)
    async with ctx.db.unit_of_work() as session:
        account = await lock_account(session, account_id)
        if account is None or account.status != ACTIVE:
            raise AuthRevoked("this connection is no longer active")
        token = read_token(ctx.cipher, account)
        if refused_access_token is not None and token.access_token != refused_access_token:
            return token
        if refused_access_token is None and not token.expires_within(
            REFRESH_MARGIN, ctx.clock.now()
        ):
            return token
        refreshed = await provider.refresh(token)
        refreshed.provider_user_id = account.provider_user_id
        write_token(ctx.cipher, account, refreshed)
        return refreshed  # committed on leaving the block, before anyone uses it


async def with_token(
    ctx: SyncContext, account_id: int, call: Callable[[TokenSet], Awaitable[T]]
) -> T:
    """Run a provider call with a fresh token; one refresh and retry on a 401.

    A 401 that survives the refresh, or a refused refresh, disables the account and
    tells the athlete how to reconnect, then raises `AuthRevoked`.
    """
    try:
        token = await fresh_token(ctx, account_id)
        try:
            return await call(token)
        except TokenExpired:
            token = await fresh_token(ctx, account_id, refused_access_token=token.access_token)
        try:
            return await call(token)
        except TokenExpired as exc:
            raise AuthRevoked("the provider still refuses the refreshed token") from exc
    except AuthRevoked as exc:
        async with ctx.db.unit_of_work() as session:
            account = await session.get(ConnectedAccount, account_id)
            if account is not None:
                await disable_account(session, ctx.clock, account, reason=str(exc))
        raise
