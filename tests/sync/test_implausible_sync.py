"""A synced activity no person could have done is dropped with a log line, once (issue 12
item 14): the webhook event is closed, nothing is stored, no daily loads are written."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.db.models import Activity, DailyLoad, WebhookEvent
from core.sync.orchestrator.webhook_events import process_event
from tests.fakes.providers.strava import FakeStrava
from tests.sync.sync_harness import make_context, now_clock, provider_settings
from tests.sync.test_orchestration_strava import connected, deliver, rows, subscribe


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def fake(clock) -> AsyncIterator[FakeStrava]:
    async with FakeStrava(clock=clock.now) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def ctx(db, clock, http, fake):
    return make_context(db, clock, http, provider_settings(strava=fake))


@pytest.mark.parametrize(
    ("when", "fields", "reason"),
    [
        (None, {"distance": 9_900_000.0, "elapsed_time": 72 * 3600}, "too_long"),
        (None, {"distance": 500_000.0, "moving_time": 1800}, "too_fast"),  # 1,000 km/h
        (None, {"average_heartrate": 900.0, "max_heartrate": 900.0}, "heart_rate"),
        (datetime(1970, 1, 1, 8, tzinfo=UTC), {}, "too_old"),
        (datetime(2100, 1, 1, 8, tzinfo=UTC), {}, "in_future"),
    ],
)
async def test_an_implausible_synced_activity_is_dropped_once_with_a_log_line(
    ctx, fake, http, caplog, when, fields, reason
):
    strava_id, user_id, _account = await connected(ctx, fake, http)
    subscribe(fake)
    start = when or ctx.clock.now() - timedelta(hours=3)
    activity_id = fake.add_activity(strava_id, start=start, **fields)
    event = fake.build_event(
        object_type="activity", object_id=activity_id, aspect_type="create", owner_id=strava_id
    )
    [event_id] = await deliver(ctx, fake, event)
    with caplog.at_level(logging.WARNING, logger="core.sync.orchestrator.fetch_and_record"):
        result = await process_event(ctx, event_id)
    assert result.finished and result.imported == 0
    assert any(
        "activity_refused" in r.getMessage() and f"reason={reason}" in r.getMessage()
        for r in caplog.records
    )
    [row] = await rows(ctx, WebhookEvent, WebhookEvent.id == event_id)
    assert row.status == "done"
    assert (await process_event(ctx, event_id)).outcome == "already processed"
    assert await rows(ctx, Activity, Activity.user_id == user_id) == []
    assert await rows(ctx, DailyLoad, DailyLoad.user_id == user_id) == []
