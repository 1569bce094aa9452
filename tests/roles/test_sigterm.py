"""SIGTERM to every role: every process of its group is gone within 10 s (platforms kill
at 30 s), and the role let go of what it was doing instead of waiting for it.

Each role starts exactly as the Procfile says (`run all`, what `make run` starts, too), on
PostgreSQL and Redis when TRAINLYTICS_TEST_DATABASE_URL / _REDIS_URL are set. Each is
caught in the middle of work that would not finish by itself: a client that never sends
the rest of its request (web), a chat message to a Bot API that never answers (worker,
and the long polling of `run all`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.roles.conftest import needs_redis
from tests.roles.procfile import (
    TRAINLYTICS,
    alive_in_group,
    kill_group,
    output,
    role_command,
    start,
)
from trainlytics.lifecycle import STOP_BUDGET_S

START_DEADLINE_S = 120.0  # imports on a busy 2-core machine take a while


@pytest.fixture
async def silent_bot_api() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A 'Bot API' that accepts connections and never answers: (its base URL, connected)."""
    connected = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        with contextlib.suppress(Exception):
            await reader.read()  # until the client goes away
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", connected
    server.close()


def telegram_on(env: dict[str, str], api_base: str) -> None:
    env |= {
        "TRAINLYTICS_TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
        "TRAINLYTICS_TELEGRAM_API_BASE": api_base,
        "TRAINLYTICS_TELEGRAM_WEBHOOK_SECRET": "roles-test-secret",
    }


async def eventually(check: Callable[[], Awaitable[bool] | bool], log: Path, what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + START_DEADLINE_S
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        assert loop.time() < end, f"never {what}:\n{output(log)[-4000:]}"
        await asyncio.sleep(0.2)


async def healthy(port: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.asynccontextmanager
async def half_sent_request(port: str) -> AsyncIterator[None]:
    """An update whose body never comes: the webhook route waits for it, past any grace."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", int(port))
    writer.write(
        b"POST /telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: roles-test-secret\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    await writer.drain()
    try:
        yield
    finally:
        writer.close()


async def stop_within_budget(proc, log: Path) -> None:
    """SIGTERM the role's group; every one of its processes must be gone in the budget."""
    os.killpg(proc.pid, signal.SIGTERM)
    loop = asyncio.get_running_loop()
    end = loop.time() + STOP_BUDGET_S
    # Processes dying signal nothing this test can await: look ten times a second.
    while (proc.poll() is None or alive_in_group(proc.pid)) and loop.time() < end:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    left = alive_in_group(proc.pid)
    assert proc.poll() is not None and not left, (
        f"still running {STOP_BUDGET_S:.0f} s after SIGTERM: {left}\n{output(log)[-4000:]}"
    )
    assert proc.returncode == 0, f"exit status {proc.returncode}\n{output(log)[-4000:]}"


@pytest.mark.parametrize(
    "command", [role_command("web"), [TRAINLYTICS, "run"]], ids=["web", "run-all"]
)
async def test_web_roles_stop_within_budget_with_a_request_still_open(
    tmp_path, env, redis_cleanup, silent_bot_api, command
):
    telegram_on(env, silent_bot_api[0])  # `run all` also long-polls it, for ever
    log = tmp_path / "role.log"
    proc = start(command, env, log)
    try:
        await eventually(lambda: healthy(env["PORT"]), log, "answered /health on $PORT")
        async with half_sent_request(env["PORT"]):
            await asyncio.sleep(0.5)  # the server has read the headers and waits for the body
            await stop_within_budget(proc, log)
    finally:
        kill_group(proc)


@needs_redis
async def test_scheduler_stops_within_budget(tmp_path, env, redis_cleanup):
    log = tmp_path / "role.log"
    proc = start(role_command("scheduler"), env, log)
    try:
        await eventually(lambda: "Startup completed" in output(log), log, "started")
        await stop_within_budget(proc, log)
    finally:
        kill_group(proc)


async def _pending_telegram_message(database_url: str) -> None:
    from core.clock import SystemClock
    from core.db.engine import Database
    from core.enums import Platform
    from core.outbox import notifications
    from core.outbox.payloads import CoachCommentPayload
    from core.people import identities as accounts

    db = Database.from_url(database_url)
    try:
        async with db.unit_of_work() as s:
            tess, _ = await accounts.get_or_create_person(
                s,
                accounts.ChatAddress(
                    Platform.TELEGRAM, platform_user_id="4242", chat_id="4242", display_name="Tess"
                ),
            )
            await notifications.notify(
                s,
                SystemClock(),
                recipient_id=tess.id,
                payload=CoachCommentPayload(body="Nice tempo run"),
                key=f"comment:sigterm:{os.getpid()}:{tess.id}",
            )
    finally:
        await db.dispose()


@needs_redis
async def test_worker_stops_within_budget_with_a_task_stuck_on_a_silent_api(
    tmp_path, env, redis_cleanup, silent_bot_api
):
    from taskiq.kicker import AsyncKicker

    from core.settings import Settings
    from workers.broker import build_broker

    api_base, connected = silent_bot_api
    telegram_on(env, api_base)
    await _pending_telegram_message(env["TRAINLYTICS_DATABASE_URL"])
    broker = build_broker(
        Settings(
            redis_url=env["TRAINLYTICS_REDIS_URL"],
            jobs_queue_name=env["TRAINLYTICS_JOBS_QUEUE_NAME"],
        )
    ).broker
    await broker.startup()
    log = tmp_path / "role.log"
    proc = start(role_command("worker"), env, log)
    try:
        await eventually(lambda: output(log).count("worker ready") >= 2, log, "got ready")
        await AsyncKicker("trainlytics.deliver_outbox", broker, {}).kiq()
        await asyncio.wait_for(connected.wait(), START_DEADLINE_S)
        await stop_within_budget(proc, log)
    finally:
        kill_group(proc)
        await broker.shutdown()
