"""The Strava window store shared by workers: the newest observation wins, in memory or Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from core.sync.ratelimit import InMemoryRateLimitStore, RateLimitState, WindowUsage
from workers.strava_limits import RedisRateLimitStore

REDIS_URL = os.environ.get("TRAINLYTICS_TEST_REDIS_URL")
STORES = ["memory", "redis"] if REDIS_URL else ["memory"]
AT = datetime(2026, 11, 28, 10, 7, tzinfo=UTC)


@pytest.fixture(params=STORES)
async def store(request) -> AsyncIterator[object]:
    if request.param == "memory":
        yield InMemoryRateLimitStore()
        return
    assert REDIS_URL is not None, "the redis store is a parameter only when the URL is set"
    redis_store = RedisRateLimitStore.from_url(REDIS_URL, f"test:{uuid.uuid4().hex}:")
    yield redis_store
    await redis_store.aclose()


def state(at: datetime, used: int) -> RateLimitState:
    return RateLimitState(
        observed_at=at,
        overall=WindowUsage(200, used, 2000, used),
        read=WindowUsage(100, used, 1000, used),
    )


async def test_the_newest_observation_wins_whatever_order_it_arrives_in(store):
    assert await store.get("strava:1") is None
    await store.put("strava:1", state(AT, 50))
    await store.put("strava:1", state(AT - timedelta(seconds=3), 10))  # a late, older answer
    assert await store.get("strava:1") == state(AT, 50)
    await store.put("strava:1", state(AT + timedelta(seconds=1), 100))
    known = await store.get("strava:1")
    assert known == state(AT + timedelta(seconds=1), 100)
    assert known.exhausted_window(AT + timedelta(seconds=2), is_read=True) == "15min"
