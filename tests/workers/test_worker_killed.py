"""A worker killed in the middle of a task: another worker runs it again, its effect once.

Needs Redis: set TRAINLYTICS_TEST_REDIS_URL (CI does). Each run uses its own stream name.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from taskiq.kicker import AsyncKicker

from core.settings import Settings
from tests.workers.kill_effects import counts
from workers.broker import build_broker

REDIS_URL = os.environ.get("TRAINLYTICS_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TRAINLYTICS_TEST_REDIS_URL is not set: no Redis to kill a worker on"
)
ROOT = Path(__file__).resolve().parents[2]
IDLE_TIMEOUT_S = 5
DEADLINE_S = 90  # bounds the whole test; it normally takes about 15 s


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "taskiq",
            "worker",
            "trainlytics.entry:broker",
            "tests.workers.kill_tasks",
            "--workers",
            "1",
            "--no-configure-logging",
        ],
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


async def wait_for(predicate, seconds: float, poke=None) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        if predicate():
            return True
        if poke is not None:
            await poke()
        await asyncio.sleep(1)
    return predicate()


async def test_killed_worker_task_runs_again_and_its_effect_happens_once(tmp_path):
    queue = f"trainlytics-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TRAINLYTICS_REDIS_URL": REDIS_URL,
        "TRAINLYTICS_JOBS_QUEUE_NAME": queue,
        "TRAINLYTICS_JOBS_IDLE_TIMEOUT_S": str(IDLE_TIMEOUT_S),
        "TRAINLYTICS_DATA_DIR": str(tmp_path / "var"),
        "TRAINLYTICS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
    }
    effects = str(tmp_path / "effects.db")
    log = tmp_path / "worker.log"
    backend = build_broker(
        Settings(redis_url=REDIS_URL, jobs_queue_name=queue, jobs_idle_timeout_s=IDLE_TIMEOUT_S)
    )
    broker = backend.broker
    await broker.startup()

    async def kick(name: str, *args) -> None:
        await AsyncKicker(task_name=name, broker=broker, labels={}).kiq(*args)

    first = start_worker(env, log)
    second = None
    try:
        await kick("tests.record_effect", effects, "payment:42", 60.0)
        started = await wait_for(lambda: counts(effects)[0] == 1, 30)
        assert started, log.read_text()
        kill(first)
        assert counts(effects) == (1, 0)  # killed before its effect

        second = start_worker(env, log)
        # Reclaim runs when the stream has new messages: the scheduler's heartbeat.
        done = await wait_for(
            lambda: counts(effects)[1] == 1,
            DEADLINE_S - 30,
            poke=lambda: kick("trainlytics.heartbeat"),
        )
        assert done, log.read_text()
        await asyncio.sleep(IDLE_TIMEOUT_S + 1)  # no third run sneaks in
        await kick("trainlytics.heartbeat")
        await asyncio.sleep(2)
        assert counts(effects) == (2, 1)
    finally:
        kill(first)
        if second is not None:
            kill(second)
        await broker.shutdown()
        from redis.asyncio import Redis

        redis = Redis.from_url(REDIS_URL)
        keys = [k async for k in redis.scan_iter(f"{queue}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
