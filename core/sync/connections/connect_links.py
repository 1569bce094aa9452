"""Steps 1 to 3 of connecting: the signed link, the browser session, the code sent in chat.

A chat link can be forwarded, so opening it proves nothing about who is at the browser: the
page shows a code that only the link's owner can confirm from their own chat
(docs/security.md, "Connecting a provider account"). The confirmed browser then goes on to
`core.sync.connections.oauth_flow`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import OAuthState, User
from core.errors import InvalidInput

# A browser session (and the OAuth state issued to it) lasts this long.
STATE_LIFETIME = timedelta(minutes=10)
CONNECT_LINK_LIFETIME = timedelta(minutes=30)
# Wrong codes a person may send before every browser waiting for them is refused: with
# six digits, five guesses find a code one time in 200,000.
CONFIRM_ATTEMPTS = 5
CODE_DIGITS = 6


class ConnectLinkInvalid(InvalidInput):
    """A connect link that is forged, expired, for another provider or already used."""

    code = "connect_link_invalid"


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
        raise ConnectLinkInvalid("refuse_connect_link_damaged") from None
    if not secret_key or not hmac.compare_digest(signature, _sign(secret_key, payload)):
        raise ConnectLinkInvalid("refuse_connect_link_not_valid")
    if link_provider != provider:
        raise ConnectLinkInvalid("refuse_connect_link_other_provider")
    now = clock.now()
    if now.timestamp() > expires:
        raise ConnectLinkInvalid("refuse_connect_link_expired")
    if await session.get(User, user_id) is None:
        raise ConnectLinkInvalid("refuse_connect_link_nobody")
    # The one-time record shares the state table: its hash cannot collide with a state's
    # (different prefix) and it is born used, so it never passes as a state.
    link_hash = secret_hash(f"link:{nonce}")
    if await session.scalar(select(OAuthState).where(OAuthState.state_hash == link_hash)):
        raise ConnectLinkInvalid("refuse_connect_link_used")
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
            state_hash=browser_hash(secret),
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


def secret_hash(value: str) -> str:
    """How a link nonce, a browser secret or an OAuth state is stored: never in clear."""
    return hashlib.sha256(value.encode()).hexdigest()


def browser_hash(secret: str) -> str:
    """The stored form of a browser session's cookie secret."""
    return secret_hash(f"browser:{secret}")


def _code_hash(user_id: int, code: str) -> str:
    return secret_hash(f"code:{user_id}:{code}")


def _sign(secret_key: str, payload: str) -> str:
    digest = hmac.new(secret_key.encode(), payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
