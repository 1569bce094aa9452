"""Redis loses its data (FLUSHDB, a failover to an empty replica): every reminder still
fires at its local time, because the schedules are rebuilt from the database.

The walk below is the scheduler's own decision, minute by minute: taskiq's
`is_cron_task_now` on what the schedule source holds, then `TaskiqScheduler.on_ready`,
which sends the task through the broker to the real `send_reminder` task. With
TRAINLYTICS_TEST_REDIS_URL the source is taskiq-redis's `ListRedisScheduleSource`, under
a queue name of its own, in a Redis database of its own that the test wipes with FLUSHDB
(the other Redis tests running at the same time on that server keep their data).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from taskiq import InMemoryBroker, ScheduleSource, TaskiqScheduler
from taskiq.cli.scheduler.run import is_cron_task_now

from core.db.models import Workout
from core.enums import Platform
from core.outbox.sending import ChatTarget, NotificationView, SentReceipt
from tests.core.test_delivery import telegram_person
from tests.jobs_backend import broker, reconcile_schedules, send_reminder
from tests.workers.conftest import REDIS_URL
from workers.ratelimit import MemoryTokenBuckets
from workers.schedule_sources import MemoryScheduleSource, TaskScheduleStore

# A Redis logical database used by this test alone, so FLUSHDB wipes nothing of others.
WIPED_REDIS_DB = 15
DAY = date(2026, 3, 11)  # every person has a workout planned that day
PEOPLE = [
    ("Ana", "2001", "Europe/Paris"),
    ("Ben", "2002", "America/New_York"),
    ("Chloé", "2003", "Asia/Tokyo"),
]


@dataclass
class Store:
    source: ScheduleSource
    wipe: Callable[[], Awaitable[None]]


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        memory = MemoryScheduleSource()

        async def forget() -> None:
            memory.schedules.clear()

        yield Store(memory, forget)
        return
    if not REDIS_URL:
        pytest.skip("TRAINLYTICS_TEST_REDIS_URL is not set: no Redis to wipe")
    from redis.asyncio import Redis
    from taskiq_redis import ListRedisScheduleSource

    redis = Redis.from_url(REDIS_URL, db=WIPED_REDIS_DB)
    queue = f"trainlytics-wipe-{uuid.uuid4().hex[:8]}"
    source = ListRedisScheduleSource(
        REDIS_URL, prefix=f"{queue}:schedule", db=WIPED_REDIS_DB, skip_past_schedules=True
    )
    await source.startup()

    async def flushdb() -> None:
        await redis.flushdb()

    try:
        yield Store(source, flushdb)
    finally:
        await redis.flushdb()
        await redis.aclose()
        await source.shutdown()


class ClockedSender:
    """Records when (on the injected clock) each reminder reached whom."""

    platform = Platform.TELEGRAM

    def __init__(self, clock) -> None:
        self.clock = clock
        self.arrived: list[tuple[str, str, datetime]] = []

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        self.arrived.append((recipient.chat_id, view.payload["slot"], self.clock.now()))
        return SentReceipt(str(len(self.arrived)))


async def walk_the_scheduler(store: Store, clock, start: datetime, minutes: int) -> None:
    """What the scheduler process does each minute, on what the source holds."""
    assert isinstance(broker, InMemoryBroker), "the jobs run in this process, in memory"
    scheduler = TaskiqScheduler(broker, sources=[store.source])
    held = await store.source.get_schedules()
    for minute in range(minutes):
        now = start + timedelta(minutes=minute)
        for task in held:
            if task.cron and is_cron_task_now(task.cron, now, offset=task.cron_offset):
                clock.set(now)
                await scheduler.on_ready(store.source, task)
                await broker.wait_all()


async def test_every_reminder_fires_on_time_after_the_schedule_store_is_wiped(
    jobs, db, clock, store
):
    sender = ClockedSender(clock)
    jobs.senders = {"telegram": sender}
    # Telegram's per-chat limit counted on the injected clock, as the walk's time passes.
    jobs.limiter = MemoryTokenBuckets(now=lambda: clock.now().timestamp())
    jobs.store = TaskScheduleStore(store.source, send_reminder)
    for name, chat, tz in PEOPLE:
        uid = await telegram_person(db, name, chat, timezone=tz)
        async with db.unit_of_work() as s:
            s.add(Workout(athlete_id=uid, sport="run", title="Tempo", scheduled_date=DAY))
    await (await reconcile_schedules.kiq()).wait_result(timeout=10)
    assert len(await store.source.get_schedules()) == 2 * len(PEOPLE)

    await store.wipe()
    assert await store.source.get_schedules() == []
    # The scheduler's static schedule runs the reconcile every minute.
    assert reconcile_schedules.labels["schedule"] == [{"cron": "* * * * *"}]
    result = await (await reconcile_schedules.kiq()).wait_result(timeout=10)
    assert not result.is_err, result.error

    await walk_the_scheduler(store, clock, datetime(2026, 3, 10, tzinfo=UTC), 2 * 24 * 60)
    expected = sorted(
        [
            (chat, "evening", datetime.combine(DAY - timedelta(days=1), time(20), ZoneInfo(tz)))
            for _, chat, tz in PEOPLE
        ]
        + [
            (chat, "morning", datetime.combine(DAY, time(7), ZoneInfo(tz)))
            for _, chat, tz in PEOPLE
        ],
        key=lambda item: item[2],
    )
    assert sender.arrived == [(chat, slot, at.astimezone(UTC)) for chat, slot, at in expected]
