from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from core.sync.providers.base import ProviderConfig
from core.sync.providers.strava import StravaProvider
from core.sync.ratelimit import InMemoryRateLimitStore
from tests.fakes.providers.strava import FakeStrava

# A fixed client clock: 10:07 UTC, so the 15-minute window ends at 10:15.
NOW = datetime(2026, 11, 28, 10, 7, 0, tzinfo=UTC)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def fake_strava() -> AsyncIterator[FakeStrava]:
    async with FakeStrava() as fake:
        yield fake


@pytest.fixture
def strava_config(fake_strava: FakeStrava) -> ProviderConfig:
    return ProviderConfig(
        client_id=fake_strava.client_id,
        client_secret=fake_strava.client_secret,
        api_base=fake_strava.api_base,
        oauth_base=fake_strava.oauth_base,
        redirect_uri="https://trainlytics.test/oauth/strava/callback",
        webhook_verify_token="verify-me",
        subscription_id="120475",
    )


@pytest.fixture
def strava(strava_config: ProviderConfig, http: httpx.AsyncClient) -> StravaProvider:
    return StravaProvider(
        strava_config, http, rate_limits=InMemoryRateLimitStore(), clock=lambda: NOW
    )


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "activities"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """The athlete's browser, following the redirects between us and the provider."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
