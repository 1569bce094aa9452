"""Ending a connection: revoke the grant at the provider and forget the tokens.

The chat marks the account `disconnecting` inside its own transaction
(`account_status.mark_disconnecting`, no HTTP there), which stops every sync step at once;
`finish_disconnects` then revokes the grant and forgets the tokens, right after the chat
commits and again in the hourly sweep for anything a lost enqueue left behind.
"""

from __future__ import annotations

import logging

import httpx
from sqlalchemy import select

from core.crypto import CryptoError
from core.db.models import ConnectedAccount
from core.errors import NotFound
from core.sync.build import SyncContext
from core.sync.connections.account_status import (
    ACTIVE,
    DISCONNECTING,
    REVOKED,
    mark_disconnecting,
)
from core.sync.connections.stored_tokens import REFRESH_MARGIN, lock_account, read_token
from core.sync.providers.base import ProviderError, TokenSet

log = logging.getLogger(__name__)


async def disconnect(ctx: SyncContext, user_id: int, provider_name: str) -> int:
    """The athlete's own "disconnect" done at once: revoke at the provider, forget tokens.

    Returns how many accounts were finished (a person may hold two accounts of one
    provider). Raises `NotFound` when there is no active connection to that provider.
    """
    async with ctx.db.unit_of_work() as session:
        accounts_ = list(
            await session.scalars(
                select(ConnectedAccount).where(
                    ConnectedAccount.user_id == user_id,
                    ConnectedAccount.provider == provider_name,
                    ConnectedAccount.status == ACTIVE,
                )
            )
        )
        if not accounts_:
            raise NotFound("not_connected", provider=provider_name.capitalize())
        for account in accounts_:
            mark_disconnecting(account)
        ids = [account.id for account in accounts_]
    finished = 0
    for account_id in ids:
        finished += await _finish_disconnect(ctx, account_id)
    return finished


async def finish_disconnects(ctx: SyncContext, *, limit: int = 100) -> int:
    """Revoke at the provider and forget the tokens of up to `limit` disconnecting accounts.

    Returns how many were finished. Idempotent: a finished account is `revoked` and is
    not picked again. The revocation is best effort: a provider that fails, or that no
    longer knows the token, is logged and the account is finished anyway, because the
    athlete asked for the connection to end and keeping the tokens to retry would keep
    exactly what they asked us to drop.
    """
    async with ctx.db.unit_of_work() as session:
        ids = list(
            await session.scalars(
                select(ConnectedAccount.id)
                .where(ConnectedAccount.status == DISCONNECTING)
                .order_by(ConnectedAccount.id)
                .limit(limit)
            )
        )
    finished = 0
    for account_id in ids:
        finished += await _finish_disconnect(ctx, account_id)
    return finished


async def _finish_disconnect(ctx: SyncContext, account_id: int) -> bool:
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        if account is None or account.status != DISCONNECTING:
            return False
        provider_name, stored = account.provider, account.access_token_enc
        try:
            token: TokenSet | None = read_token(ctx.cipher, account)
        except CryptoError as exc:
            log.warning(
                "disconnect of account %s: tokens unreadable, not revoked at %s: %s",
                account_id,
                provider_name,
                exc,
            )
            token = None
    if token is not None and token.access_token:
        await _revoke_grant(ctx, account_id, provider_name, token)
    async with ctx.db.unit_of_work() as session:
        account = await lock_account(session, account_id)
        # A reconnect while the provider was being called stored fresh tokens and made the
        # account active again: that connection is wanted and is left alone.
        if account is None or account.status != DISCONNECTING or account.access_token_enc != stored:
            return False
        account.status = REVOKED
        account.sync_enabled = False
        # The column is NOT NULL and `rotate-keys` re-encrypts every row, so the access
        # token becomes an encrypted empty string rather than a bare "".
        account.access_token_enc = ctx.cipher.encrypt("")
        account.refresh_token_enc = None
        account.expires_at = None
        return True


async def _revoke_grant(
    ctx: SyncContext, account_id: int, provider_name: str, token: TokenSet
) -> None:
    """Deauthorize at the provider; failures are logged, never raised."""
    provider = ctx.providers.get(provider_name)
    if provider is None:
        log.warning(
            "disconnect of account %s: %s is not configured here, grant not revoked",
            account_id,
            provider_name,
        )
        return
    try:
        if token.refresh_token and token.expires_within(REFRESH_MARGIN, ctx.clock.now()):
            # An expired access token would be refused as "already revoked" while the
            # grant lives on behind the refresh token; the new pair is dropped just after.
            refreshed = await provider.refresh(token)
            refreshed.provider_user_id = token.provider_user_id
            token = refreshed
        await provider.deauthorize(token)
    except (ProviderError, httpx.HTTPError) as exc:
        log.warning(
            "disconnect of account %s: %s did not confirm the revocation: %s",
            account_id,
            provider_name,
            exc,
        )
