"""The tasks through the real (in-memory) broker, retries that wait, and the rate limiter."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from taskiq import InMemoryBroker, TaskiqMessage

from core.db.models import Notification, Workout
from core.enums import NotificationStatus
from core.outbox.limits import Bucket
from tests.core.test_delivery import telegram_person
from tests.jobs_backend import deliver_outbox, reconcile_schedules, schedule_source, send_reminder
from workers.ratelimit import MemoryTokenBuckets, RedisTokenBuckets
from workers.retry import ExponentialRetryMiddleware
from workers.schedule_sources import MemoryScheduleSource


async def test_reminder_task_fired_twice_reaches_the_athlete_once(jobs, db, clock):
    clock.set(datetime(2026, 3, 10, 5, 0, tzinfo=UTC))  # 06:00 Paris
    uid = await telegram_person(db)
    async with db.unit_of_work() as s:
        s.add(
            Workout(
                athlete_id=uid, sport="run", title="Tempo 3x10'", scheduled_date=date(2026, 3, 10)
            )
        )
    for _ in range(2):
        result = await (await send_reminder.kiq(uid, "morning")).wait_result(timeout=10)
        assert not result.is_err, result.error
    await (await deliver_outbox.kiq()).wait_result(timeout=10)
    sender = jobs.senders["telegram"]
    assert [v.payload["workouts"][0]["title"] for _, v in sender.delivered] == ["Tempo 3x10'"]


async def test_reconcile_task_puts_each_persons_reminders_in_the_schedule_source(jobs, db):
    uid = await telegram_person(db)
    await (await reconcile_schedules.kiq()).wait_result(timeout=10)
    await (await reconcile_schedules.kiq(uid)).wait_result(timeout=10)
    ids = {s.schedule_id for s in await schedule_source.get_schedules()}
    assert {f"reminder:{uid}:morning", f"reminder:{uid}:evening"} <= ids
    for schedule_id in ids:
        await schedule_source.delete_schedule(schedule_id)


async def test_deliver_task_sends_due_rows(jobs, db, clock):
    uid = await telegram_person(db)
    from core.outbox import notifications
    from core.outbox.payloads import CoachCommentPayload

    async with db.unit_of_work() as s:
        await notifications.notify(
            s, clock, recipient_id=uid, payload=CoachCommentPayload(body="hi"), key="x"
        )
    result = await (await deliver_outbox.kiq()).wait_result(timeout=10)
    assert result.return_value == 1
    async with db.unit_of_work() as s:
        assert await s.scalar(select(Notification.status)) == NotificationStatus.SENT


async def test_retries_back_off_exponentially_and_really_wait():
    test_broker = InMemoryBroker()
    source = MemoryScheduleSource()
    middleware = ExponentialRetryMiddleware(
        default_delay=10, max_delay_exponent=600, schedule_source=source
    )
    test_broker.add_middlewares(middleware)
    message = TaskiqMessage(task_id="t", task_name="x", labels={}, args=[], kwargs={})
    for retries, step in ((1, 10), (2, 20), (3, 40), (8, 600)):
        delay = middleware.make_delay(message, retries)
        assert step / 2 <= delay <= step

    calls = []

    @test_broker.task(retry_on_error=True, max_retries=3)
    async def flaky() -> None:
        calls.append(1)
        raise RuntimeError("platform down")

    await test_broker.startup()
    before = datetime.now(UTC)
    await flaky.kiq()
    for _ in range(100):  # the retry is stored a moment after the failure
        if await source.get_schedules():
            break
        await asyncio.sleep(0.05)
    assert calls == [1]  # not retried in the same second...
    [retry] = await source.get_schedules()  # ...but scheduled for later
    assert retry.time is not None and retry.time >= before + timedelta(seconds=2)
    await test_broker.shutdown()


async def test_memory_buckets_take_all_tokens_or_none():
    now = [0.0]
    limiter = MemoryTokenBuckets(now=lambda: now[0])
    overall, chat_a, chat_b = Bucket("all", 2, 2), Bucket("a", 1, 1), Bucket("b", 1, 1)
    assert await limiter.try_acquire([overall, chat_a]) == 0
    assert await limiter.try_acquire([overall, chat_a]) == pytest.approx(1.0)
    assert await limiter.try_acquire([overall, chat_b]) == 0  # the refusal took nothing
    assert await limiter.try_acquire([overall, chat_b]) == pytest.approx(1.0)
    now[0] = 1.0
    assert await limiter.try_acquire([overall, chat_a]) == 0


@pytest.mark.skipif(
    not os.environ.get("TRAINLYTICS_TEST_REDIS_URL"),
    reason="TRAINLYTICS_TEST_REDIS_URL is not set: no Redis for shared buckets",
)
async def test_redis_buckets_are_shared_between_workers():
    import uuid

    url = os.environ["TRAINLYTICS_TEST_REDIS_URL"]
    prefix = f"trainlytics-test-{uuid.uuid4().hex[:8]}:"
    one, two = RedisTokenBuckets.from_url(url, prefix), RedisTokenBuckets.from_url(url, prefix)
    chat = Bucket("chat:1", 1, 1)
    try:
        assert await one.try_acquire([chat]) == 0
        wait = await two.try_acquire([chat])  # the other worker sees the empty bucket
        assert 0 < wait <= 1.0
        assert await two.try_acquire([Bucket("all", 30, 30), Bucket("chat:2", 1, 1)]) == 0
    finally:
        await one.aclose()
        await two.aclose()


def test_worker_and_scheduler_commands_explain_that_they_need_redis(monkeypatch, capsys, tmp_path):
    from trainlytics.cli import main
    from trainlytics.commands import scheduler, worker

    monkeypatch.delenv("TRAINLYTICS_REDIS_URL", raising=False)
    monkeypatch.setenv("TRAINLYTICS_DATA_DIR", str(tmp_path))
    import argparse

    assert worker.run(argparse.Namespace(taskiq_args=[], workers=1, max_async_tasks=1)) == 2
    assert scheduler.run(argparse.Namespace(update_interval=10)) == 2
    assert "TRAINLYTICS_REDIS_URL" in capsys.readouterr().err
    assert callable(main)
