"""Run a provider call with a valid access token, refreshing at most once.

The caller passes `save`, which must persist the refreshed pair (encrypted) before the
token is used: Strava and Garmin rotate refresh tokens, so losing the new pair loses the
athlete. A 401 that survives a refresh means the authorisation is gone (`AuthRevoked`).
Refreshes of one athlete must be serialised by the caller (one job per athlete, or a lock),
or two workers burn each other's rotated refresh token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from core.sync.providers.base import AuthRevoked, Provider, TokenExpired, TokenSet

T = TypeVar("T")

# Refresh a little early so a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(minutes=10)


async def call_with_fresh_token(
    provider: Provider,
    token: TokenSet,
    call: Callable[[TokenSet], Awaitable[T]],
    save: Callable[[TokenSet], Awaitable[None]],
) -> T:
    refreshed = False
    if token.refresh_token and token.expires_within(REFRESH_MARGIN):
        token = await provider.refresh(token)
        await save(token)
        refreshed = True
    try:
        return await call(token)
    except TokenExpired as first:
        if refreshed:
            raise AuthRevoked(f"{provider.name}: still refused after a refresh") from first
        token = await provider.refresh(token)
        await save(token)
    try:
        return await call(token)
    except TokenExpired as second:
        raise AuthRevoked(f"{provider.name}: still refused after a refresh") from second
