"""The job runtime on the test database: the real broker's tasks with a fake chat sender."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from taskiq import InMemoryBroker

from tests.core.test_delivery import FakeSender
from tests.fakes.providers.strava import FakeStrava
from trainlytics.container import Container
from trainlytics.settings import Settings
from workers.broker import broker, schedule_source
from workers.jobs import build_jobs
from workers.ratelimit import MemoryTokenBuckets

REDIS_URL = os.environ.get("TRAINLYTICS_TEST_REDIS_URL")


@pytest.fixture
async def jobs(db, clock, tmp_path):
    assert isinstance(broker, InMemoryBroker), "tests run without TRAINLYTICS_REDIS_URL"
    settings = Settings(data_dir=tmp_path, redis_url=None)
    # No cipher: the reminder and delivery jobs these tests run read no provider token.
    container = Container(settings=settings, db=db, clock=clock, cipher=None)  # type: ignore[arg-type]
    sender = FakeSender()
    built = build_jobs(
        container, schedule_source, senders={"telegram": sender}, limiter=MemoryTokenBuckets()
    )
    broker.state.jobs = built
    yield built
    broker.state.jobs = None
    await container.aclose()


@pytest.fixture
async def strava(clock) -> AsyncIterator[FakeStrava]:
    """The fake Strava on the test's clock (sync tests use `now_clock()`)."""
    async with FakeStrava(clock=clock.now) as fake:
        yield fake
