"""What every provider connector exchanges with the rest of the platform.

One `Provider` protocol, plain dataclasses for tokens, activity references, fetched
activities and webhook events, and one error family that tells the caller what to do:
refresh (`TokenExpired`), ask the user to reconnect (`AuthRevoked`), wait
(`RateLimited`, `ProviderUnavailable`) or answer a webhook with 4xx (`WebhookRejected`,
`MalformedWebhook`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx

from core.activities.parsed import ParsedActivity, Sport

ProviderName = Literal["strava", "garmin", "polar", "coros"]
EventKind = Literal["create", "update", "delete", "deauthorize", "ping", "permissions"]


# ----------------------------------------------------------------------------- errors


class ProviderError(Exception):
    """A provider call failed in a way that retrying the same call will not fix."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class TokenExpired(ProviderError):
    """The access token was refused; a refresh may fix it."""


class AuthRevoked(ProviderError):
    """The user's authorisation is gone (refresh refused, or still 401 after a refresh).

    The user must connect the provider again; retrying is pointless.
    """


class NotFound(ProviderError):
    """The activity (or user) does not exist at the provider any more."""


class RateLimited(ProviderError):
    """Over the provider's rate limit: try again at `retry_at` (aware UTC)."""

    def __init__(self, retry_at: datetime, window: str, message: str = "") -> None:
        super().__init__(message or f"rate limit ({window}) reached; retry at {retry_at}")
        self.retry_at = retry_at
        self.window = window


class ProviderUnavailable(ProviderError):
    """The provider failed on its side (5xx or its own 'try later' code)."""

    def __init__(self, retry_after: float, message: str = "", status_code: int | None = None):
        super().__init__(
            message or f"provider unavailable; retry in {retry_after:.0f} s",
            status_code=status_code,
        )
        self.retry_after = retry_after


class WebhookRejected(ProviderError):
    """A webhook call is not authentic: answer it with `status_code` (401/403)."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason, status_code=status_code)
        self.reason = reason


class MalformedWebhook(ProviderError):
    """A webhook body that cannot be understood: answer 400."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, status_code=400)
        self.reason = reason


class UntrustedEvent(ProviderError):
    """A webhook's content fails validation: a URL off the provider's API host, an id of
    the wrong shape, a summary or a revocation the provider does not confirm.

    The event is dropped (stored as `rejected`), never retried: another attempt would
    only send the athlete's token to the same place again.
    """


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ProviderConfig:
    client_id: str
    client_secret: str
    api_base: str
    oauth_base: str
    redirect_uri: str = ""
    # Garmin and Polar serve tokens from another host than their authorize page.
    token_url: str = ""
    # Strava: the verify token of the push subscription; Polar: the webhook's
    # signature_secret_key; Garmin and Coros authenticate with client id/secret.
    webhook_verify_token: str = ""
    webhook_secret: str = ""
    subscription_id: str = ""
    scopes: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        """Connect links are offered only when the app credentials are configured."""
        return bool(self.client_id and self.client_secret)


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None  # aware UTC; None = the provider gives no expiry
    scopes: tuple[str, ...] = ()
    provider_user_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        return self.expires_at - margin <= (now or datetime.now(UTC))


@dataclass(frozen=True)
class ActivityRef:
    """Enough to fetch one activity later (from a list call or a webhook)."""

    provider: ProviderName
    activity_id: str
    start: datetime | None = None
    updated: datetime | None = None
    sport_hint: Sport | None = None
    # Garmin and Coros hand out file URLs rather than ids we can fetch by.
    download_url: str | None = None
    summary: Mapping[str, Any] | None = None
    # A summary pushed to the webhook is only a hint: the provider's own listing it is
    # pulled from (Garmin's summary type), `updated` being when it was announced; or
    # "listed" when the summary is the provider's own answer to a pull.
    pull_from: str | None = None


@dataclass
class FetchedActivity:
    provider: ProviderName
    activity_id: str
    provider_user_id: str | None
    activities: list[ParsedActivity]  # several for a multisport file
    raw_summary: dict[str, Any]
    name: str | None = None
    private: bool = False
    external_id: str | None = None  # e.g. Strava's upload file name, for deduplication


@dataclass(frozen=True)
class WebhookEvent:
    provider: ProviderName
    event_key: str  # stable across redeliveries: store it unique for idempotency
    kind: EventKind
    provider_user_id: str | None
    activity_id: str | None = None
    updates: Mapping[str, Any] = field(default_factory=dict)
    activity_ref: ActivityRef | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- protocol


@runtime_checkable
class Provider(Protocol):
    name: ProviderName
    config: ProviderConfig

    def authorize_url(self, state: str, code_verifier: str | None = None) -> str: ...

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> TokenSet: ...

    async def refresh(self, token: TokenSet) -> TokenSet: ...

    async def list_activities(self, token: TokenSet, since: datetime) -> list[ActivityRef]: ...

    async def fetch_activity(
        self, token: TokenSet, ref_or_id: ActivityRef | str
    ) -> FetchedActivity: ...

    async def deauthorize(self, token: TokenSet) -> None: ...

    async def check_access(self, token: TokenSet) -> None:
        """One cheap authenticated call that raises `TokenExpired`/`AuthRevoked` when the
        athlete's grant is gone; a webhook's revocation is believed only after it fails."""
        ...

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None: ...

    def parse_webhook(self, raw_body: bytes) -> list[WebhookEvent]: ...


# ----------------------------------------------------------------------------- helpers


def event_key(provider: str, *parts: object, record: Mapping[str, Any] | None = None) -> str:
    """An idempotency key: readable parts plus a digest of the record when given.

    The digest is over canonical JSON, so a redelivery of the same record gives the same
    key while a different notification about the same activity does not.
    """
    key = ":".join([provider, *(str(p) for p in parts)])
    if record is not None:
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
        key += ":" + hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return key


# Provider ids (Strava and COROS numbers, Garmin summary ids, Polar hashed ids) are short
# and plain (Polar's are URL-safe base64, so they may start with - or _); a webhook id of
# any other shape (a slash, "..", a query) is not the provider's and never reaches a URL.
_PROVIDER_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.:-]{0,127}")


def provider_id(value: object, what: str) -> str:
    """`value` as a provider id, or `MalformedWebhook` when it cannot be one."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _PROVIDER_ID.fullmatch(text) or ".." in text:
        raise MalformedWebhook(f"{what} is not a provider id: {str(value)[:40]!r}")
    return text


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.lower(), port


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def trusted_url(url: str, api_base: str, paths: Collection[str]) -> str:
    """`url` when it is on the configured API host at one of `paths` (relative to the
    base's own path), else `UntrustedEvent`.

    The allow-list is the scheme, host and port of `api_base` (the `..._API_BASE`
    setting). https is required, except when the configured base itself is plain http on
    a loopback address: the local fakes of the tests and of development.
    """
    allowed, given = _origin(api_base), _origin(url)
    if allowed is None or given != allowed:
        raise UntrustedEvent(f"URL is not on the provider's API host: {url[:120]}")
    scheme, host, _ = allowed
    if scheme != "https" and not (scheme == "http" and _is_loopback(host)):
        raise UntrustedEvent(f"the provider's API base is not https: {api_base}")
    prefix = urlsplit(api_base).path.rstrip("/")
    if urlsplit(url).path not in {prefix + path for path in paths}:
        raise UntrustedEvent(f"URL is not one of the provider's data endpoints: {url[:120]}")
    return url


def load_json_body(raw_body: bytes) -> Any:
    try:
        return json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedWebhook(f"webhook body is not JSON: {exc}") from exc


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The answer's JSON body, which must be an object."""
    body = response.json()
    if not isinstance(body, dict):
        raise ProviderError(f"{what}: answer is not a JSON object")
    return body


def json_objects(response: httpx.Response, what: str) -> list[dict[str, Any]]:
    """The answer's JSON body, which must be a list of objects."""
    body = response.json()
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise ProviderError(f"{what}: answer is not a JSON list of objects")
    return body


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup over any mapping (HTTP header names ignore case)."""
    if isinstance(headers, httpx.Headers):
        found: str | None = headers.get(name)  # httpx ignores case; its get() is typed Any
        return found
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def utc_from_epoch(seconds: float | int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(float(seconds), UTC)


def retry_after_seconds(response: httpx.Response, default: float = 30.0) -> float:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default


def raise_for_common_status(response: httpx.Response, what: str) -> None:
    """Map the statuses every provider shares onto our errors; 2xx passes."""
    status = response.status_code
    if status < 400:
        return
    body = response.text[:300]
    if status == 401:
        raise TokenExpired(f"{what}: access token refused (401): {body}", status_code=401)
    if status == 429:
        raise RateLimited(
            datetime.now(UTC) + timedelta(seconds=retry_after_seconds(response, 60.0)),
            "provider",
            f"{what}: rate limited (429)",
        )
    if status == 404:
        raise NotFound(f"{what}: not found (404)", status_code=404)
    if status >= 500:
        raise ProviderUnavailable(
            retry_after_seconds(response), f"{what}: provider error {status}", status_code=status
        )
    raise ProviderError(f"{what}: HTTP {status}: {body}", status_code=status)
