"""Connecting a provider account, keeping its tokens fresh, and disabling it.

The connect flow binds the browser to the person who asked, because a link sent in chat
can be forwarded (docs/security.md, "Connecting a provider account"):

1. the bot sends a signed one-time link (`connect_url`);
2. opening it (`open_browser_session`) spends the link and starts a browser session: a
   random secret the web door keeps in an HttpOnly cookie, and a six-digit code derived
   from it that the page shows;
3. the person sends `/connect CODE` in their own chat (`confirm_browser`): only the
   link's owner can confirm, and only someone who sees the page knows the code;
4. the confirmed browser gets a single-use OAuth `state` (hashed at rest, 10 minutes,
   PKCE verifier for Garmin) bound to its cookie (`begin_confirmed_connect`);
5. the provider redirects back with that state and a code (`complete_connect`): the
   callback must come from the same browser; the tokens are stored encrypted in
   `ConnectedAccount` and the backfill is queued. A provider account that another
   person already holds is never re-pointed: its owner is asked in their chat
   (`AccountTransfer`, `decide_transfer`) and both people are told.

Tokens: Strava and Garmin rotate refresh tokens, so two workers refreshing the same
account at once would burn one of them. `fresh_token` refreshes behind a per-account
lock (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the database write lock, taken by
an UPDATE), re-reads the row once it holds the lock and skips the refresh when another
worker already did it, and stores the new pair before anyone uses it.

Disconnecting: the chat marks the account `disconnecting` inside its own transaction
(no HTTP there), which stops every sync step at once; `finish_disconnects` then revokes
the grant at the provider and forgets the tokens, right after the chat commits and again
in the hourly sweep for anything a lost enqueue left behind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.crypto import CryptoError, TokenCipher
from core.db.models import AccountTransfer, ConnectedAccount, OAuthState, User
from core.errors import InvalidInput, NotFound
from core.outbox.notifications import notify
from core.outbox.payloads import SyncStatusPayload
from core.sync.build import SyncContext
from core.sync.providers.base import (
    AuthRevoked,
    Provider,
    ProviderError,
    TokenExpired,
    TokenSet,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
CONNECT_LINK_LIFETIME = timedelta(minutes=30)
# Refresh a little early so a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(minutes=10)
ACTIVE, REVOKED = "active", "revoked"
# Not active (nothing syncs) but the grant is still alive at the provider and the tokens
# are still stored: `finish_disconnects` revokes the one and forgets the other.
DISCONNECTING = "disconnecting"
PKCE_PROVIDERS = frozenset({"garmin"})
# Wrong codes a person may send before every browser waiting for them is refused: with
# six digits, five guesses find a code one time in 200,000.
CONFIRM_ATTEMPTS = 5
CODE_DIGITS = 6
# How long an owner has to answer "move your account to someone else?".
TRANSFER_LIFETIME = timedelta(days=3)


class ConnectLinkInvalid(InvalidInput):
    """A connect link that is forged, expired, for another provider or already used."""

    code = "connect_link_invalid"


class OAuthStateInvalid(InvalidInput):
    """A callback whose `state` is unknown, expired, already used or for another provider."""

    code = "oauth_state_invalid"


class AccountOwnedElsewhere(InvalidInput):
    """Storing tokens would re-point an account another person holds: ask them instead."""

    code = "account_owned_elsewhere"


# ----------------------------------------------------------------------------- connect links


def connect_url(
    public_url: str,
    secret_key: str,
    user_id: int,
    provider: str,
    now: datetime,
    *,
    lifetime: timedelta = CONNECT_LINK_LIFETIME,
) -> str:
    """The link the bot sends: `{public_url}/connect/{provider}?t=...`, valid 30 minutes.

    Signed with HMAC-SHA256 by hand (stdlib `hmac`): the token carries four fields and
    the project has no signing library; a single-use record is written when it is opened.
    """
    if not public_url or not secret_key:
        raise InvalidInput("refuse_connecting_providers_needs_trainlytics_public_url_and")
    expires = int((now + lifetime).timestamp())
    payload = f"{user_id}.{provider}.{expires}.{secrets.token_urlsafe(12)}"
    token = f"{_b64(payload.encode())}.{_sign(secret_key, payload)}"
    return f"{public_url.rstrip('/')}/connect/{provider}?t={token}"


async def open_connect_link(
    session: AsyncSession, clock: Clock, secret_key: str, token: str, provider: str
) -> int:
    """The user id the link was made for; the link cannot be opened a second time."""
    encoded, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        user_part, link_provider, expires_part, nonce = payload.split(".", 3)
        user_id, expires = int(user_part), int(expires_part)
    except (ValueError, UnicodeDecodeError):
        raise ConnectLinkInvalid(
            "This connect link is damaged. Ask the bot for a new one."
        ) from None
    if not secret_key or not hmac.compare_digest(signature, _sign(secret_key, payload)):
        raise ConnectLinkInvalid("This connect link is not valid. Ask the bot for a new one.")
    if link_provider != provider:
        raise ConnectLinkInvalid("This link is for another provider.")
    now = clock.now()
    if now.timestamp() > expires:
        raise ConnectLinkInvalid("This connect link has expired. Ask the bot for a new one.")
    if await session.get(User, user_id) is None:
        raise ConnectLinkInvalid("This connect link belongs to nobody any more.")
    # The one-time record shares the state table: its hash cannot collide with a state's
    # (different prefix) and it is born used, so it never passes as a state.
    link_hash = _hash(f"link:{nonce}")
    if await session.scalar(select(OAuthState).where(OAuthState.state_hash == link_hash)):
        raise ConnectLinkInvalid("This connect link was already used. Ask the bot for a new one.")
    session.add(
        OAuthState(
            user_id=user_id,
            provider=provider,
            state_hash=link_hash,
            expires_at=datetime.fromtimestamp(expires, now.tzinfo),
            used_at=now,
        )
    )
    await session.flush()
    return user_id


@dataclass(frozen=True)
class BrowserSession:
    """A browser that opened a connect link: its cookie secret and the code it shows."""

    user_id: int
    secret: str
    code: str


def browser_code(secret: str) -> str:
    """The code a browser session's page shows, derived from its cookie secret.

    Derived rather than stored, so the waiting page can show it again from the cookie;
    the cookie never leaves that browser (HttpOnly), so nobody else can compute it.
    """
    digest = hashlib.sha256(f"code:{secret}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


async def open_browser_session(
    session: AsyncSession, clock: Clock, secret_key: str, token: str, provider: str
) -> BrowserSession:
    """Spend the connect link and start a browser session waiting for its chat code."""
    user_id = await open_connect_link(session, clock, secret_key, token, provider)
    secret = secrets.token_urlsafe(32)
    code = browser_code(secret)
    session.add(
        OAuthState(
            user_id=user_id,
            provider=provider,
            state_hash=_browser_hash(secret),
            confirm_code_hash=_code_hash(user_id, code),
            expires_at=clock.now() + STATE_LIFETIME,
        )
    )
    await session.flush()
    return BrowserSession(user_id, secret, code)


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"
    WRONG_CODE = "wrong_code"
    NOTHING_WAITING = "nothing_waiting"


@dataclass(frozen=True)
class ConfirmResult:
    outcome: Confirmation
    provider: str | None = None
    attempts_left: int = 0


async def confirm_browser(
    session: AsyncSession, clock: Clock, user_id: int, code: str
) -> ConfirmResult:
    """The person's `/connect CODE`: confirm the browser of theirs that shows this code.

    Only the person's own waiting browsers are looked at, so a code seen on a forwarded
    link's page confirms nothing in anybody else's chat. Every wrong code counts against
    all of them; after `CONFIRM_ATTEMPTS` they are refused for good.
    """
    now = clock.now()
    waiting = list(
        await session.scalars(
            select(OAuthState)
            .where(
                OAuthState.user_id == user_id,
                OAuthState.confirm_code_hash.is_not(None),
                OAuthState.confirmed_at.is_(None),
                OAuthState.used_at.is_(None),
                OAuthState.expires_at > now,
            )
            .with_for_update()
        )
    )
    if not waiting:
        return ConfirmResult(Confirmation.NOTHING_WAITING)
    wanted = _code_hash(user_id, code.strip())
    matched = [row for row in waiting if hmac.compare_digest(row.confirm_code_hash or "", wanted)]
    if matched:
        for row in matched:
            row.confirmed_at = now
        await session.flush()
        return ConfirmResult(Confirmation.CONFIRMED, provider=matched[0].provider)
    left = CONFIRM_ATTEMPTS
    for row in waiting:
        row.attempts += 1
        if row.attempts >= CONFIRM_ATTEMPTS:
            row.used_at = now
        left = min(left, CONFIRM_ATTEMPTS - row.attempts)
    await session.flush()
    return ConfirmResult(Confirmation.WRONG_CODE, attempts_left=max(left, 0))


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
        select(OAuthState).where(OAuthState.state_hash == _browser_hash(secret)).with_for_update()
    )
    if row is None or row.provider != provider.name or row.confirm_code_hash is None:
        raise ConnectLinkInvalid(
            "This browser did not open a connect link. Ask the bot for a new one."
        )
    if row.used_at is not None or row.expires_at <= clock.now():
        raise ConnectLinkInvalid("This connect page has expired. Ask the bot for a new link.")
    if row.confirmed_at is None:
        raise BrowserNotConfirmed("Send the code to the bot in your own chat first.")
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
            state_hash=_hash(state),
            code_verifier=verifier,
            expires_at=clock.now() + STATE_LIFETIME,
            browser_hash=_browser_hash(browser),
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
        select(OAuthState).where(OAuthState.state_hash == _hash(state)).with_for_update()
    )
    if row is None or row.provider != provider_name or row.browser_hash is None:
        raise OAuthStateInvalid("This sign-in link is not valid. Start again from the bot.")
    if not hmac.compare_digest(row.browser_hash, _browser_hash(browser)):
        raise OAuthStateInvalid(
            "This sign-in was started in another browser. Start again from the bot."
        )
    if row.used_at is not None:
        raise OAuthStateInvalid("This sign-in link was already used. Start again from the bot.")
    if row.expires_at <= clock.now():
        raise OAuthStateInvalid("This sign-in link has expired. Start again from the bot.")
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
        raise InvalidInput(f"{provider_name.capitalize()} did not say which account this is.")
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
        raise AccountOwnedElsewhere("This account belongs to someone else.")
    write_token(cipher, account, token)
    _activate(clock, account, backfill_days=backfill_days)
    await session.flush()
    return account


def _activate(clock: Clock, account: ConnectedAccount, *, backfill_days: int) -> None:
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


# ----------------------------------------------------------------------------- transfers


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
        _activate(clock, account, backfill_days=backfill_days)
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


# ----------------------------------------------------------------------------- tokens


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
    if session.bind.dialect.name == "sqlite":
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


# ----------------------------------------------------------------------------- disabling


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
            raise NotFound(f"You have no active {provider_name.capitalize()} connection.")
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


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _browser_hash(secret: str) -> str:
    return _hash(f"browser:{secret}")


def _code_hash(user_id: int, code: str) -> str:
    return _hash(f"code:{user_id}:{code}")


def _sign(secret_key: str, payload: str) -> str:
    digest = hmac.new(secret_key.encode(), payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def describe(account: ConnectedAccount) -> dict[str, Any]:
    """What the bot shows about one connection (no token material)."""
    return {
        "provider": account.provider,
        "status": account.status,
        "sync_enabled": account.sync_enabled,
        "last_sync_at": account.last_sync_at.isoformat() if account.last_sync_at else None,
        "backfill": {k: account.backfill.get(k) for k in ("status", "done", "total")},
    }
