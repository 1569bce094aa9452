"""Sync jobs that fail for a moment finish anyway: retried with backoff, resumed when stuck,
started once the broker is back. Driven through the web routes and the real sync tasks
on the broker; the database fails under them at the driver (a lost connection)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from taskiq import ScheduledTask, TaskiqScheduler

from core.db.models import Activity, ConnectedAccount, WebhookEvent
from core.sync.orchestrator.backfill import BACKFILL_LEASE, BACKFILL_TRIGGER_GRACE
from core.sync.orchestrator.hourly_poll import accounts_to_poll
from tests.fakes.providers.strava import FakeStrava
from tests.jobs_backend import broker, jobs_backend, schedule_source, sync_tasks
from tests.sync.sync_harness import (
    STRAVA_SUBSCRIPTION_ID,
    AppHarness,
    athlete,
    code_by_redirect,
    connect,
    connect_through_browser,
    now_clock,
)
from tests.sync.sync_harness import app_settings as settings_for
from trainlytics.container import build_container


class DatabaseFaults:
    """Makes statements fail as a dropped connection would, at the driver boundary."""

    def __init__(self, db) -> None:
        self.engine = db.engine.sync_engine
        self.down = False
        self.prefix = ""
        self.skip = 0  # matching statements let through before the next one fails
        self.then_down = False  # after that failure, the database stays unreachable
        self.failures = 0
        event.listen(self.engine, "before_cursor_execute", self._check)

    def fail(self, prefix: str, *, after: int = 0, then_down: bool = False) -> None:
        self.prefix, self.skip, self.then_down = prefix.upper(), after, then_down

    def _check(self, conn, cursor, statement: str, *args) -> None:
        matched = bool(self.prefix) and statement.lstrip().upper().startswith(self.prefix)
        if matched and self.skip:
            self.skip -= 1
            return
        if self.down or matched:
            self.prefix = ""
            self.down = self.down or self.then_down
            self.failures += 1
            raise OperationalError(statement, None, ConnectionError("server closed connection"))

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._check)


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def harness(db, clock, tmp_path, strava) -> AsyncIterator[AppHarness]:
    await _clear_schedules()  # retries left by earlier tests share the in-process source
    container = build_container(
        settings_for(tmp_path, strava=strava), clock=clock, db=db, jobs_backend=jobs_backend
    )
    async with AppHarness(container) as running:
        yield running
    await _clear_schedules()


async def _clear_schedules() -> None:
    for schedule in await schedule_source.get_schedules():
        await schedule_source.delete_schedule(schedule.schedule_id)


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def faults(db) -> Iterator[DatabaseFaults]:
    injected = DatabaseFaults(db)
    yield injected
    injected.remove()


async def retries_of(task_name: str) -> list[ScheduledTask]:
    return [s for s in await schedule_source.get_schedules() if s.task_name == task_name]


async def fire(harness: AppHarness, schedule: ScheduledTask) -> None:
    """What the scheduler does when a delayed retry's time comes."""
    await TaskiqScheduler(broker, sources=[schedule_source]).on_ready(schedule_source, schedule)
    await harness.jobs_done()


async def all_rows(db, model, *where) -> list:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(model).where(*where)))


async def history(strava: FakeStrava, clock, count: int) -> int:
    strava_id = strava.add_athlete()
    for day in range(count, 0, -1):
        strava.add_activity(strava_id, start=clock.now() - timedelta(days=day, hours=2))
    return strava_id


async def test_a_webhook_event_hit_by_a_database_error_is_retried_with_backoff(
    harness, strava, db, browser, faults
):
    ctx = harness.container.sync
    strava_id = strava.add_athlete()
    user_id = await athlete(db)
    await connect(ctx, "strava", user_id, lambda url: code_by_redirect(browser, url))
    activity_id = strava.add_activity(strava_id, start=ctx.clock.now() + timedelta(minutes=3))
    faults.fail("INSERT INTO activities")
    before = datetime.now(UTC)
    response = await harness.client.post(
        "/webhooks/strava",
        json=strava.build_event(
            object_type="activity",
            object_id=activity_id,
            aspect_type="create",
            owner_id=strava_id,
            subscription_id=int(STRAVA_SUBSCRIPTION_ID),
        ),
    )
    assert response.status_code == 200
    await harness.jobs_done()
    assert faults.failures == 1
    [row] = await all_rows(db, WebhookEvent)
    assert row.status == "pending" and await all_rows(db, Activity) == []
    [retry] = await retries_of("trainlytics.sync.process_event")
    assert retry.time is not None and retry.time >= before + timedelta(seconds=2)  # backoff

    await fire(harness, retry)
    [row] = await all_rows(db, WebhookEvent)
    [activity] = await all_rows(db, Activity)
    assert row.status == "done" and activity.source_id == str(activity_id)


async def test_a_backfill_that_loses_the_database_midway_resumes_from_its_cursor(
    harness, strava, db, clock, browser, faults
):
    strava_id = await history(strava, clock, 10)
    user_id = await athlete(db)
    faults.fail("INSERT INTO activities", after=5)  # the sixth activity's write fails
    await connect_through_browser(harness, browser, "strava", "Strava", user_id)
    assert faults.failures == 1
    assert len(await all_rows(db, Activity)) == 5
    [retry] = await retries_of("trainlytics.sync.backfill")

    await fire(harness, retry)
    stored = sorted(a.source_id for a in await all_rows(db, Activity))
    assert stored == sorted(str(a["id"]) for a in strava.athletes[strava_id].activities)
    first_five = sorted(strava.athletes[strava_id].activities, key=lambda a: a["start_date"])[:5]
    for summary in first_five:  # resumed after them, not from the start
        assert len([c for c in strava.calls if c.path.endswith(f"/{summary['id']}")]) == 1
    [account] = await all_rows(db, ConnectedAccount)
    assert account.backfill["status"] == "done"


async def test_a_backfill_left_running_by_a_dead_worker_is_resumed_by_the_sweep(
    harness, strava, db, clock, browser, faults
):
    strava_id = await history(strava, clock, 8)
    user_id = await athlete(db)
    # The fourth write fails and the database stays gone: not even the lease's release
    # reaches it, as when the worker itself dies.
    faults.fail("INSERT INTO activities", after=3, then_down=True)
    await connect_through_browser(harness, browser, "strava", "Strava", user_id)
    faults.down = False
    for lost in await retries_of("trainlytics.sync.backfill"):  # Redis lost the retry too
        await schedule_source.delete_schedule(lost.schedule_id)
    [account] = await all_rows(db, ConnectedAccount)
    assert account.backfill["status"] == "running" and len(await all_rows(db, Activity)) == 3
    assert account.id not in await accounts_to_poll(harness.container.sync)

    swept = await (await sync_tasks.sweep.kiq()).wait_result(timeout=10)
    assert swept.return_value == {"events": 0, "backfills": 0}  # its lease still holds
    clock.advance(BACKFILL_LEASE + timedelta(seconds=1))
    swept = await (await sync_tasks.sweep.kiq()).wait_result(timeout=10)
    assert swept.return_value == {"events": 0, "backfills": 1}
    await harness.jobs_done()
    stored = sorted(a.source_id for a in await all_rows(db, Activity))
    assert stored == sorted(str(a["id"]) for a in strava.athletes[strava_id].activities)
    [account] = await all_rows(db, ConnectedAccount)
    assert account.backfill["status"] == "done"
    assert account.id in await accounts_to_poll(harness.container.sync)


async def test_an_oauth_callback_while_redis_is_down_succeeds_and_the_backfill_starts_later(
    harness, strava, db, clock, browser, monkeypatch
):
    from taskiq_redis import RedisStreamBroker

    strava_id = await history(strava, clock, 3)
    user_id = await athlete(db)
    unreachable = RedisStreamBroker("redis://127.0.0.1:1/0", queue_name="nowhere")
    monkeypatch.setattr(sync_tasks.backfill, "broker", unreachable)
    await connect_through_browser(harness, browser, "strava", "Strava", user_id)  # 200
    [account] = await all_rows(db, ConnectedAccount)
    assert account.backfill["status"] == "pending" and await all_rows(db, Activity) == []

    monkeypatch.undo()  # Redis is back
    clock.advance(BACKFILL_TRIGGER_GRACE)
    swept = await (await sync_tasks.sweep.kiq()).wait_result(timeout=10)
    assert swept.return_value == {"events": 0, "backfills": 1}
    await harness.jobs_done()
    stored = sorted(a.source_id for a in await all_rows(db, Activity))
    assert stored == sorted(str(a["id"]) for a in strava.athletes[strava_id].activities)
    await unreachable.shutdown()
