"""Telegram door throughput: `/today` updates handled per second by one process.

Each update goes through the real aiogram dispatcher (dedupe claim, person, the
conversation layer, the database, rendering) and its answer through the real HTTP client
to a local fake Bot API. The baseline is a bare aiogram handler answering a fixed text
through the same fake in the same run. Target: at least 0.3 of the bare rate. p95
handling latency is reported. SQLite always; PostgreSQL too when
TRAINLYTICS_TEST_DATABASE_URL is set.

Two ways of feeding, each the same for the door and for the baseline (the same updates,
the same feeding code): one update after another ("sequential": one person's request),
and up to IN_FLIGHT updates at a time ("N at once": how aiogram's polling and a webhook
server handle a busy bot, each update a task). Each round feeds BATCH updates to one arm
then the same number to the other, alternating which goes first; a door round ends when
the message references it queued are written, so deferred work is counted. Rates and
p95 are those of each arm's fastest round of ROUNDS: on a shared machine the slowest
rounds measure the neighbours, and alternating short rounds slows both arms alike.

    .venv/bin/python bench/bench_telegram.py
    TRAINLYTICS_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/bench_telegram.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import verdict
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message, Update
from cryptography.fernet import Fernet
from sqlalchemy import text

import core.db.models  # noqa: F401
from bot.telegram.bot import build_door
from core.clock import SystemClock
from core.db.engine import Database
from core.db.models import Base
from core.enums import Platform
from core.people import identities as accounts
from core.planning import workouts as planning
from core.settings import Settings
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from trainlytics.container import build_container

BATCH = int(os.environ.get("BENCH_UPDATES", "60"))  # updates per round and arm
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
IN_FLIGHT = 8
CHATS = 50  # distinct people, as a busy morning looks
TARGET = 0.3

Feed = Callable[[dict], Awaitable[object]]
Finish = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


async def measure(
    feed: Feed, updates: list[dict], in_flight: int = 1, finish: Finish = _nothing
) -> tuple[float, float]:
    """(updates per second, p95 latency in ms), at most `in_flight` updates at a time;
    the elapsed time includes `finish()` (work the arm deferred past its last update)."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(in_flight)

    async def one(update: dict) -> None:
        async with gate:
            began = time.perf_counter()
            await feed(update)
            latencies.append(time.perf_counter() - began)

    start = time.perf_counter()
    await asyncio.gather(*(one(u) for u in updates))
    await finish()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return len(updates) / elapsed, latencies[int(0.95 * (len(latencies) - 1))] * 1000


async def best_of(
    door: Feed, finish: Finish, bare: Feed, updates: Callable[[], list[dict]], in_flight: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """((door rate, p95), (bare rate, p95)) of each arm's fastest of ROUNDS rounds."""
    door_best, bare_best = (0.0, 0.0), (0.0, 0.0)
    for round_ in range(ROUNDS):
        if round_ % 2:
            door_best = max(door_best, await measure(door, updates(), in_flight, finish))
        bare_best = max(bare_best, await measure(bare, updates(), in_flight))
        if not round_ % 2:
            door_best = max(door_best, await measure(door, updates(), in_flight, finish))
    return door_best, bare_best


def report(name: str, mode: str, door: tuple[float, float], bare: tuple[float, float]) -> float:
    ratio = door[0] / bare[0]
    print(
        f"{name:10s} {mode:10s} /today {door[0]:7.1f} updates/s (p95 {door[1]:6.1f} ms) | "
        f"bare aiogram {bare[0]:7.1f}/s (p95 {bare[1]:5.1f} ms) | ratio {ratio:.2f} "
        f"(target >= {TARGET}) {verdict(ratio >= TARGET)}"
    )
    return ratio


def bare_dispatcher() -> Dispatcher:
    router = Router()

    @router.message(F.text)
    async def answer(message: Message) -> None:
        await message.answer("Nothing planned today.")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def seeded_database(url: str, **engine: object) -> Database:
    db = Database.from_url(url, **engine)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    clock = SystemClock()
    async with db.unit_of_work() as session:
        for chat in range(1, CHATS + 1):
            user, _ = await accounts.get_or_create_person(
                session,
                accounts.ChatAddress(Platform.TELEGRAM, str(chat), chat_id=str(chat)),
            )
            user.onboarded = True
            today = await planning.local_today(session, clock, user.id)
            await planning.create_workout(
                session,
                clock,
                user.id,
                user.id,
                today,
                planning.WorkoutSpec(sport="run", title="Easy run", planned_duration_s=2700),
            )
    return db


async def run_backend(name: str, url: str, tmp: Path, **engine: object) -> float:
    async with FakeTelegramBotAPI() as tg:
        for chat in range(1, CHATS + 1):
            tg.add_chat(chat)

        def updates() -> list[dict]:
            return [tg.user_sends(1 + i % CHATS, "/today") for i in range(BATCH)]

        bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
        bare = bare_dispatcher()

        async def feed_bare(payload: dict) -> object:
            update = Update.model_validate(payload, context={"bot": bot})
            return await bare.feed_update(bot, update)

        db = await seeded_database(url, **engine)
        settings = Settings(
            _env_file=None,
            data_dir=tmp,
            secret_key="bench" * 8,
            encryption_keys=Fernet.generate_key().decode(),
            telegram_bot_token=tg.token,
            telegram_api_base=tg.base_url,
        )
        container = build_container(settings, db=db)
        door = build_door(settings, db, container.clock, container.jobs)
        await measure(feed_bare, updates())  # warm both paths (connections, imports)
        await measure(door.feed, updates(), 1, door.refs.flush)
        sequential = await best_of(door.feed, door.refs.flush, feed_bare, updates, 1)
        concurrent = await best_of(door.feed, door.refs.flush, feed_bare, updates, IN_FLIGHT)
        await door.aclose()
        await container.aclose()
        await bot.session.close()
        await db.dispose()
    report(name, "sequential", *sequential)
    return report(name, f"{IN_FLIGHT} at once", *concurrent)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await run_backend("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db", Path(tmp))
        pg = os.environ.get("TRAINLYTICS_TEST_DATABASE_URL")
        if pg:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = Database.from_url(pg)
            async with admin.engine.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                await run_backend(
                    "postgresql",
                    pg,
                    Path(tmp),
                    connect_args={"server_settings": {"search_path": schema}},
                )
            finally:
                async with admin.engine.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()
        else:
            print("postgresql skipped: set TRAINLYTICS_TEST_DATABASE_URL to measure it")


if __name__ == "__main__":
    asyncio.run(main())
