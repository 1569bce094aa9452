"""The Procfile's worker and scheduler roles against a real Redis: a reminder reaches the
person once, and a killed worker loses nothing.

Needs Redis: set TRAINLYTICS_TEST_REDIS_URL (CI does). Each run uses its own queue name
and its own SQLite file; the processes are started exactly as the Procfile says.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.console.inbox import waiting_replies
from core.clock import SystemClock
from core.db.engine import Database
from core.db.models import Notification, Workout
from core.enums import NotificationKind, NotificationStatus, Platform
from core.outbox import notifications
from core.outbox.payloads import CoachCommentPayload
from core.people import identities as accounts
from core.timeutil import local_date

REDIS_URL = os.environ.get("TRAINLYTICS_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TRAINLYTICS_TEST_REDIS_URL is not set: no Redis to run the roles on"
)
ROOT = Path(__file__).resolve().parents[2]
TRAINLYTICS = str(Path(sys.executable).with_name("trainlytics"))
DEADLINE_S = 120.0  # per wait; the reminder normally arrives within about 20 s


def start(role: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [TRAINLYTICS, *role],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the kill takes its children
    )


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def output(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


async def wait_for(check: Callable[[], Awaitable[object]], log: Path) -> None:
    """Poll `check` (an async predicate) once a second until true or the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while not await check():
        assert loop.time() < end, output(log)[-4000:]
        await asyncio.sleep(1)


async def statuses(db: Database, kind: str) -> list[str]:
    async with db.unit_of_work() as s:
        return list(await s.scalars(select(Notification.status).where(Notification.kind == kind)))


async def console_shows(db: Database, clock: SystemClock) -> str:
    """The notifications Ana's console chat shows when it next looks (each shown once)."""
    address = accounts.ChatAddress(Platform.CONSOLE, platform_user_id="ana", display_name="Ana")
    return "\n".join(reply.plain for reply in await waiting_replies(db, clock, address))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The roles' environment, with the release step (`trainlytics migrate`) done."""
    assert REDIS_URL
    env = {
        **os.environ,
        "TRAINLYTICS_REDIS_URL": REDIS_URL,
        "TRAINLYTICS_JOBS_QUEUE_NAME": f"trainlytics-test-{uuid.uuid4().hex[:10]}",
        "TRAINLYTICS_DATA_DIR": str(tmp_path / "var"),
        "TRAINLYTICS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        "TRAINLYTICS_OUTBOX_POLL_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run([TRAINLYTICS, "migrate"], cwd=ROOT, env=env, check=True, timeout=120)
    return env


async def test_reminder_goes_out_once_and_a_killed_worker_loses_nothing(tmp_path, env):
    queue = env["TRAINLYTICS_JOBS_QUEUE_NAME"]
    db_url = env["TRAINLYTICS_DATABASE_URL"]
    db = Database.from_url(db_url)
    clock = SystemClock()
    async with db.unit_of_work() as s:
        ana, _ = await accounts.get_or_create_person(
            s, accounts.ChatAddress(Platform.CONSOLE, platform_user_id="ana", display_name="Ana")
        )
        s.add(
            Workout(
                athlete_id=ana.id,
                sport="run",
                title="Hill repeats",
                scheduled_date=local_date(clock.now(), ana.timezone),
            )
        )
        ana_id = ana.id

    # The person's reminder, due in a few seconds, put where the scheduler reads it.
    from taskiq.scheduler.scheduled_task import ScheduledTask
    from taskiq_redis import ListRedisScheduleSource

    source = ListRedisScheduleSource(REDIS_URL, prefix=f"{queue}:schedule")
    await source.startup()
    await source.add_schedule(
        ScheduledTask(
            task_name="trainlytics.send_reminder",
            labels={},
            args=[ana_id, "morning"],
            kwargs={},
            schedule_id=f"reminder:{ana_id}:test",
            time=datetime.now(UTC) + timedelta(seconds=5),
        )
    )

    log = tmp_path / "roles.log"
    worker_role = ["worker", "--workers", "1", "--max-async-tasks", "50"]
    scheduler = start(["scheduler", "--update-interval", "10"], env, log)
    worker = start(worker_role, env, log)
    second = None
    try:

        async def reminder_sent() -> bool:
            return await statuses(db, NotificationKind.REMINDER) == [NotificationStatus.SENT]

        await wait_for(reminder_sent, log)
        shown = await console_shows(db, clock)  # what Ana's `trainlytics chat` shows
        assert shown.count("Hill repeats") == 1

        kill(worker)
        async with db.unit_of_work() as s:
            await notifications.notify(
                s,
                clock,
                recipient_id=ana_id,
                payload=CoachCommentPayload(body="Great climbing today"),
                key="comment:while-the-worker-was-down",
            )
        second = start(worker_role, env, log)

        async def comment_sent() -> bool:
            return await statuses(db, NotificationKind.COACH_COMMENT) == [NotificationStatus.SENT]

        await wait_for(comment_sent, log)
        shown += await console_shows(db, clock)
        assert shown.count("Great climbing today") == 1 and shown.count("Hill repeats") == 1
        assert await statuses(db, NotificationKind.REMINDER) == [NotificationStatus.SENT]
    finally:
        kill(scheduler)
        kill(worker)
        if second is not None:
            kill(second)
        await source.shutdown()
        await db.dispose()
        from redis.asyncio import Redis

        redis = Redis.from_url(REDIS_URL)
        keys = [k async for k in redis.scan_iter(f"{queue}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
