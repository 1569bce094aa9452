"""A Trainlytics container talking to a local fake Bot API, and helpers to drive it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.telegram.bot import TelegramDoor
from bot.telegram.runner import run_bot
from core.clock import FixedClock
from core.db.engine import Database
from core.settings import Settings
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from trainlytics.container import Container, build_container

WEBHOOK_SECRET = "test-webhook-secret_123"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramBotAPI]:
    async with FakeTelegramBotAPI() as fake:
        yield fake


def make_container(
    tg: FakeTelegramBotAPI, db: Database, clock: FixedClock, tmp_path, **overrides: Any
) -> Container:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        secret_key="s" * 32,
        encryption_keys=Fernet.generate_key().decode(),
        telegram_bot_token=tg.token,
        telegram_api_base=tg.base_url,
        telegram_webhook_secret=WEBHOOK_SECRET,
        **overrides,
    )
    return build_container(settings, db=db, clock=clock)


@pytest.fixture
async def container(tg, db, clock, tmp_path) -> AsyncIterator[Container]:
    built = make_container(tg, db, clock, tmp_path)
    yield built
    await built.aclose()


@pytest.fixture
async def polling(container: Container) -> AsyncIterator[TelegramDoor]:
    """The bot long-polling the fake, as `trainlytics run` does without a public URL."""
    assert container.telegram is not None, "Telegram is set up in this container"
    task = asyncio.create_task(run_bot(container.telegram, container.settings))
    door = container.telegram
    assert door is not None
    yield door
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
