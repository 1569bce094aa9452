"""Webhook mode: Telegram posts updates to /telegram/webhook with the secret header."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from sqlalchemy import func, select

from bot.telegram.runner import run_bot
from core.db.models import InboundUpdate, User
from tests.bot.telegram.conftest import WEBHOOK_SECRET, make_container
from web.app import create_app

CHAT = 777


def client_for(container) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(container))
    return httpx.AsyncClient(transport=transport, base_url="http://trainlytics.test")


async def test_start_registers_the_webhook_with_its_secret(tg, db, clock, tmp_path) -> None:
    container = make_container(
        tg, db, clock, tmp_path, public_url="https://trainlytics.example.com"
    )
    task = asyncio.create_task(run_bot(container))
    try:
        call = await tg.wait_for(lambda c: c.method == "setWebhook")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await container.extras.pop("telegram").aclose()
    assert call.params["url"] == "https://trainlytics.example.com/telegram/webhook"
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert tg.webhook_url == "https://trainlytics.example.com/telegram/webhook"


async def test_an_update_with_the_right_secret_is_answered(tg, container) -> None:
    update = tg.user_sends(CHAT, "/start")
    async with client_for(container) as client:
        response = await client.post(
            "/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        )
    assert response.status_code == 200
    assert any("Welcome" in (m.get("text") or "") for m in tg.chat_messages(CHAT))


async def test_a_wrong_secret_is_refused_and_nothing_is_handled(tg, container, db) -> None:
    update = tg.user_sends(CHAT, "/start")
    async with client_for(container) as client:
        wrong = await client.post(
            "/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "guessed"},
        )
        missing = await client.post("/telegram/webhook", json=update)
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert tg.calls_to("sendMessage") == []
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)) == 0


async def test_a_redelivered_update_is_answered_once(tg, container) -> None:
    update = tg.user_sends(CHAT, "/start")
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with client_for(container) as client:
        first = await client.post("/telegram/webhook", json=update, headers=headers)
        sent_after_first = len(tg.calls_to("sendMessage"))
        again = await client.post("/telegram/webhook", json=update, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert sent_after_first >= 1
    assert len(tg.calls_to("sendMessage")) == sent_after_first


async def test_a_sticker_gets_told_what_the_bot_can_read(tg, container) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with client_for(container) as client:
        response = await client.post(
            "/telegram/webhook", json=tg.user_sends_sticker(CHAT), headers=headers
        )
    assert response.status_code == 200
    [answer] = [m for m in tg.chat_messages(CHAT) if m.get("text")]
    assert "can't use photos, stickers" in answer["text"] and "FIT" in answer["text"]
