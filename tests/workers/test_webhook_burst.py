"""A burst of provider webhooks: every event processed exactly once, no activity lost or
doubled, no database error, with the worker's concurrency and its pool sized from it.

The events go through the real route (`POST /webhooks/strava`) and the real
`sync.process_event` task; the broker starts them WORKER_TASKS at a time, as a worker
process with `--max-async-tasks` does. On PostgreSQL (TRAINLYTICS_TEST_DATABASE_URL) the
burst is 300 events; SQLite (one writer) gets fewer.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from taskiq import TaskiqState

from core.db.engine import Database, pool_options
from core.db.models import Activity, DailyLoad, SyncLog, WebhookEvent
from core.settings import load_settings
from tests.conftest import PG_URL
from tests.fakes.providers.strava import FakeStrava, Limits
from tests.sync.sync_harness import (
    STRAVA_SUBSCRIPTION_ID,
    AppHarness,
    athlete,
    connect,
    now_clock,
)
from tests.sync.sync_harness import app_settings as settings_for
from trainlytics import container as root
from trainlytics.container import build_container, build_job_backend, open_worker_jobs
from workers.jobs import install

WORKER_TASKS = 30
ATHLETES = 5


@pytest.fixture
def clock():
    return now_clock()


def consent_as(strava: FakeStrava, strava_id: int):
    """This athlete signs in at the fake's consent page (it would pick the first one)."""

    async def code_for(authorize_url: str) -> str:
        query = parse_qs(urlsplit(authorize_url).query)
        scopes = tuple(query["scope"][0].split(","))
        return strava.authorize(strava_id, scopes, query["redirect_uri"][0])

    return code_for


async def test_a_burst_of_webhooks_is_processed_exactly_once(
    db, pg_schema, clock, tmp_path, strava, monkeypatch
):
    strava.limits = Limits(10**6, 10**6, 10**6, 10**6)  # the burst is tested, not Strava
    per_athlete = 60 if db.dialect == "postgresql" else 12
    if db.dialect == "postgresql":
        # The worker's pool, sized from its concurrency as `trainlytics worker` does.
        assert PG_URL
        db = Database.from_url(
            PG_URL,
            connect_args={"server_settings": {"search_path": pg_schema}},
            **pool_options(PG_URL, WORKER_TASKS),
        )
    monkeypatch.setattr(root, "EMBEDDED_EVENT_SLOTS", WORKER_TASKS)
    container = build_container(settings_for(tmp_path, strava=strava), clock=clock, db=db)
    schedule_source = container.jobs_backend.backend.schedule_source
    async with AppHarness(container) as harness:
        ctx = container.sync
        events = []
        for n in range(ATHLETES):
            strava_id = strava.add_athlete()
            user_id = await athlete(db, f"Athlete {n}")
            await connect(ctx, "strava", user_id, consent_as(strava, strava_id))
            for k in range(per_athlete):
                # Several activities a day on overlapping days: their loads share rows.
                start = clock.now() - timedelta(days=k % 10, hours=1 + k // 10)
                activity_id = strava.add_activity(strava_id, start=start)
                events.append(
                    strava.build_event(
                        object_type="activity",
                        object_id=activity_id,
                        aspect_type="create",
                        owner_id=strava_id,
                        subscription_id=int(STRAVA_SUBSCRIPTION_ID),
                    )
                )
        answers = await asyncio.gather(
            *(harness.client.post("/webhooks/strava", json=event) for event in events)
        )
        assert {a.status_code for a in answers} == {200}
        await harness.jobs_done()

    retries = [
        s
        for s in await schedule_source.get_schedules()
        if s.task_name.startswith("trainlytics.sync")
    ]
    assert retries == []  # no task failed (a failure would have been retried)
    async with db.unit_of_work() as session:
        statuses = list(await session.scalars(select(WebhookEvent.status)))
        source_ids = list(await session.scalars(select(Activity.source_id)))
        processed = await session.scalar(
            select(func.count()).select_from(SyncLog).where(SyncLog.kind == "webhook")
        )
        days = await session.scalar(select(func.count(func.distinct(DailyLoad.day))))
    assert statuses == ["done"] * len(events)
    assert processed == len(events)  # each event processed once
    expected = sorted(str(a["id"]) for fan in strava.athletes.values() for a in fan.activities)
    assert sorted(source_ids) == expected  # none missing, none twice
    assert days >= 10


@pytest.mark.skipif(not PG_URL, reason="TRAINLYTICS_TEST_DATABASE_URL is not set")
async def test_a_worker_process_pool_holds_a_connection_for_each_concurrent_task(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("TRAINLYTICS_DATABASE_URL", PG_URL)
    monkeypatch.setenv("TRAINLYTICS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRAINLYTICS_JOBS_MAX_ASYNC_TASKS", "50")
    monkeypatch.delenv("TRAINLYTICS_REDIS_URL", raising=False)
    settings = load_settings()
    backend = build_job_backend(settings)
    state = TaskiqState()
    handlers = []
    monkeypatch.setattr(
        backend.backend.broker, "add_event_handler", lambda _e, h: handlers.append(h)
    )
    install(backend.backend.broker, lambda: open_worker_jobs(settings, backend))
    startup, shutdown = handlers
    await startup(state)
    try:
        pool = state.jobs.db.engine.pool
        assert pool.size() == 50 and pool._max_overflow >= 5
    finally:
        await shutdown(state)
