"""authlib's AsyncOAuth2Client on top of the platform's one shared httpx.AsyncClient.

authlib builds the authorize URL (with the PKCE S256 challenge for Garmin) and the token
requests (client authentication, grant parameters). Its client is itself an httpx client;
`SharedClientTransport` routes its requests through the shared client, so connection
pooling, timeouts and test base URLs stay in one place and closing an OAuth client never
closes the shared one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from core.sync.providers.authlib_client import AsyncOAuth2Client
from core.sync.providers.base import (
    AuthRevoked,
    ProviderConfig,
    ProviderError,
    TokenSet,
    raise_for_common_status,
)


class SharedClientTransport(httpx.AsyncBaseTransport):
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._http.send(request, stream=True)

    async def aclose(self) -> None:
        """The shared client belongs to the composition root, which closes it."""


def oauth_client(
    http: httpx.AsyncClient,
    config: ProviderConfig,
    *,
    token_endpoint_auth_method: str = "client_secret_post",
    code_challenge_method: str | None = None,
    scope: str | None = None,
) -> AsyncOAuth2Client:
    client = AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_endpoint_auth_method=token_endpoint_auth_method,
        redirect_uri=config.redirect_uri or None,
        scope=scope,
        code_challenge_method=code_challenge_method,
        transport=SharedClientTransport(http),
        timeout=http.timeout,
    )
    # authlib accepts any JSON object from the token endpoint as a token, whatever the
    # status; these hooks turn a refused grant into our typed errors first.
    client.register_compliance_hook("access_token_response", _check_code_response)
    client.register_compliance_hook("refresh_token_response", _check_refresh_response)
    return client


def _check_code_response(response: httpx.Response) -> httpx.Response:
    if response.status_code in (400, 401, 403):
        raise ProviderError(
            f"code exchange refused ({response.status_code}): {response.text[:300]}",
            status_code=response.status_code,
        )
    raise_for_common_status(response, "code exchange")
    return response


def _check_refresh_response(response: httpx.Response) -> httpx.Response:
    if response.status_code in (400, 401, 403):
        # An invalid, rotated-away or revoked refresh token: only a new connect helps.
        raise AuthRevoked(
            f"refresh refused ({response.status_code}): {response.text[:300]}",
            status_code=response.status_code,
        )
    raise_for_common_status(response, "token refresh")
    return response


def token_set_from(
    payload: dict[str, Any],
    *,
    provider_user_id: str | None = None,
    previous: TokenSet | None = None,
    now: datetime | None = None,
) -> TokenSet:
    """A TokenSet from a standard token response, keeping what a refresh omits."""
    now = now or datetime.now(UTC)
    if "access_token" not in payload:
        raise ProviderError(f"token response without access_token: {sorted(payload)}")
    expires_at: datetime | None = None
    if payload.get("expires_at") is not None:
        expires_at = datetime.fromtimestamp(float(payload["expires_at"]), UTC)
    elif payload.get("expires_in") is not None:
        expires_at = now + timedelta(seconds=float(payload["expires_in"]))
    raw_scope = payload.get("scope")
    if isinstance(raw_scope, str):
        scopes = tuple(s for s in raw_scope.replace(",", " ").split() if s)
    elif previous is not None:
        scopes = previous.scopes
    else:
        scopes = ()
    return TokenSet(
        access_token=str(payload["access_token"]),
        refresh_token=payload.get("refresh_token")
        or (previous.refresh_token if previous else None),
        expires_at=expires_at,
        scopes=scopes,
        provider_user_id=provider_user_id or (previous.provider_user_id if previous else None),
        raw={k: v for k, v in dict(payload).items() if k not in ("access_token", "refresh_token")},
    )
