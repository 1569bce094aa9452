"""Steps 4 and 5 of connecting: the single-use OAuth state, the callback, the stored account.

The state is hashed at rest, lives 10 minutes, carries the PKCE verifier for Garmin and is
bound to the confirmed browser's cookie (`core.sync.connections.connect_links`). The
callback spends it, exchanges the code and stores the tokens encrypted; a provider account
another person holds is never re-pointed (`core.sync.connections.account_transfers`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.crypto import TokenCipher
from core.db.models import ConnectedAccount, OAuthState
from core.errors import InvalidInput
from core.sync.build import SyncContext
from core.sync.connections.account_status import activate, active_account
from core.sync.connections.account_transfers import request_transfer
from core.sync.connections.connect_links import (
    STATE_LIFETIME,
    ConnectLinkInvalid,
    browser_hash,
    secret_hash,
)
from core.sync.connections.stored_tokens import write_token
from core.sync.providers.base import Provider, TokenSet

PKCE_PROVIDERS = frozenset({"garmin"})


class OAuthStateInvalid(InvalidInput):
    """A callback whose `state` is unknown, expired, already used or for another provider."""

    code = "oauth_state_invalid"


class AccountOwnedElsewhere(InvalidInput):
    """Storing tokens would re-point an account another person holds: ask them instead."""

    code = "account_owned_elsewhere"


class BrowserNotConfirmed(InvalidInput):
    """The browser session exists but its code was not sent in the owner's chat yet."""

    code = "browser_not_confirmed"


async def begin_confirmed_connect(
    session: AsyncSession, clock: Clock, provider: Provider, secret: str
) -> str:
    """The confirmed browser's authorize URL, with a state bound to its cookie.

    Raises `BrowserNotConfirmed` while the code waits, `ConnectLinkInvalid` when the
    session is unknown (no cookie, another browser), spent, refused or expired.
    """
    row = await session.scalar(
        select(OAuthState).where(OAuthState.state_hash == browser_hash(secret)).with_for_update()
    )
    if row is None or row.provider != provider.name or row.confirm_code_hash is None:
        raise ConnectLinkInvalid("refuse_connect_browser_unknown")
    if row.used_at is not None or row.expires_at <= clock.now():
        raise ConnectLinkInvalid("refuse_connect_page_expired")
    if row.confirmed_at is None:
        raise BrowserNotConfirmed("refuse_connect_code_not_sent_yet")
    row.used_at = clock.now()
    return await begin_connect(session, clock, provider, row.user_id, browser=secret)


async def begin_connect(
    session: AsyncSession,
    clock: Clock,
    provider: Provider,
    user_id: int,
    *,
    browser: str,
) -> str:
    """Store a fresh single-use state (and PKCE verifier) and return the authorize URL.

    `browser`: the cookie secret of the browser the state is issued to; the callback
    must bring the same cookie.
    """
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if provider.name in PKCE_PROVIDERS else None
    session.add(
        OAuthState(
            user_id=user_id,
            provider=provider.name,
            state_hash=secret_hash(state),
            code_verifier=verifier,
            expires_at=clock.now() + STATE_LIFETIME,
            browser_hash=browser_hash(browser),
        )
    )
    await session.flush()
    return provider.authorize_url(state, code_verifier=verifier)


@dataclass(frozen=True)
class ConsumedState:
    user_id: int
    code_verifier: str | None


async def consume_state(
    session: AsyncSession, clock: Clock, provider_name: str, state: str, browser: str
) -> ConsumedState:
    """Mark the state used; any second use, late use, foreign provider or browser is refused.

    The browser check stops a state from travelling: an authorize URL sent to someone
    else comes back from their browser, without the cookie it was issued to.
    """
    row = await session.scalar(
        select(OAuthState).where(OAuthState.state_hash == secret_hash(state)).with_for_update()
    )
    if row is None or row.provider != provider_name or row.browser_hash is None:
        raise OAuthStateInvalid("refuse_sign_in_not_valid")
    if not hmac.compare_digest(row.browser_hash, browser_hash(browser)):
        raise OAuthStateInvalid("refuse_sign_in_other_browser")
    if row.used_at is not None:
        raise OAuthStateInvalid("refuse_sign_in_used")
    if row.expires_at <= clock.now():
        raise OAuthStateInvalid("refuse_sign_in_expired")
    row.used_at = clock.now()
    await session.flush()
    return ConsumedState(row.user_id, row.code_verifier)


@dataclass(frozen=True)
class ConnectOutcome:
    """The callback's result: the stored account, or the owner's answer being awaited."""

    account: ConnectedAccount | None
    transfer_id: int | None = None


async def complete_connect(
    ctx: SyncContext, provider_name: str, state: str, code: str, *, browser: str
) -> ConnectOutcome:
    """The OAuth callback: use the state, exchange the code, store the account.

    The state is spent in its own transaction first, so a failed exchange cannot be
    replayed with the same state. The account is stored with a pending backfill, which
    the caller queues (`core.sync.orchestrator.backfill_step`). An account another person
    holds is not touched: its owner is asked (`request_transfer`).
    """
    provider = ctx.provider(provider_name)
    async with ctx.db.unit_of_work() as session:
        consumed = await consume_state(session, ctx.clock, provider_name, state, browser)
    token = await provider.exchange_code(code, code_verifier=consumed.code_verifier)
    if not token.provider_user_id:
        raise InvalidInput("refuse_provider_named_no_account", provider=provider_name.capitalize())
    async with ctx.db.unit_of_work() as session:
        held = await active_account(session, provider_name, token.provider_user_id)
        if held is not None and held.user_id != consumed.user_id:
            transfer = await request_transfer(
                session, ctx.clock, ctx.cipher, held, consumed.user_id, token
            )
            return ConnectOutcome(None, transfer.id)
        account = await store_account(
            session,
            ctx.clock,
            ctx.cipher,
            consumed.user_id,
            provider_name,
            token,
            backfill_days=ctx.backfill_days,
        )
        return ConnectOutcome(account)


async def store_account(
    session: AsyncSession,
    clock: Clock,
    cipher: TokenCipher,
    user_id: int,
    provider_name: str,
    token: TokenSet,
    *,
    backfill_days: int,
) -> ConnectedAccount:
    """Upsert on (provider, provider user id): a reconnect revives the same row.

    Never re-points an account another person holds (`AccountOwnedElsewhere`): proving
    control of a provider account in some browser is not enough, its owner decides
    (`decide_transfer`).
    """
    account = await session.scalar(
        select(ConnectedAccount).where(
            ConnectedAccount.provider == provider_name,
            ConnectedAccount.provider_user_id == str(token.provider_user_id),
        )
    )
    if account is None:
        account = ConnectedAccount(
            provider=provider_name, provider_user_id=str(token.provider_user_id), user_id=user_id
        )
        session.add(account)
    elif account.user_id != user_id:
        raise AccountOwnedElsewhere("refuse_account_belongs_to_someone_else")
    write_token(cipher, account, token)
    activate(clock, account, backfill_days=backfill_days)
    await session.flush()
    return account
