from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.sync.sync_harness import AppHarness, all_fakes, now_clock
from tests.sync.sync_harness import app_settings as settings_for
from trainlytics.container import build_container


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """The athlete's browser, following the redirects between us and the provider."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def fakes(clock) -> AsyncIterator[dict]:
    async with all_fakes(clock) as running:
        yield running


@pytest.fixture
async def harness(db, clock, tmp_path, fakes) -> AsyncIterator[AppHarness]:
    """The web app on every fake provider, its jobs run by the in-memory broker."""
    container = build_container(settings_for(tmp_path, **fakes), clock=clock, db=db)
    async with AppHarness(container) as running:
        yield running
