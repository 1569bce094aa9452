"""Webhook mode: Telegram posts updates to /telegram/webhook with the secret header."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib

import httpx
from sqlalchemy import func, select

from bot.conversation.types import Image, Reply, Text
from bot.telegram.registration import webhook_url
from bot.telegram.render import send_reply
from bot.telegram.runner import run_bot
from core.db.models import InboundUpdate, Notification, User
from core.enums import NotificationKind, NotificationStatus, Platform
from core.outbox.delivery import deliver_due
from core.people import identities as accounts
from core.people.identities import ChatAddress
from core.planning import workouts as planning
from tests.bot.telegram.conftest import WEBHOOK_SECRET, make_container
from tests.factories import coached
from tests.fakes.telegram_bot_api import utf16_length
from trainlytics.web_app import build_web_app
from workers.ratelimit import MemoryTokenBuckets

CHAT = 777


async def post_update(container, update: dict) -> httpx.Response:
    """Telegram posting one update to the webhook route, with the right secret."""
    async with client_for(container) as client:
        return await client.post(
            "/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        )


def one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def client_for(container) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_web_app(container))
    return httpx.AsyncClient(transport=transport, base_url="http://trainlytics.test")


async def test_start_registers_the_webhook_with_its_secret(tg, db, clock, tmp_path) -> None:
    container = make_container(
        tg, db, clock, tmp_path, public_url="https://trainlytics.example.com"
    )
    assert container.telegram is not None, "Telegram is set up in this container"
    task = asyncio.create_task(run_bot(container.telegram, container.settings))
    try:
        call = await tg.wait_for(lambda c: c.method == "setWebhook")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await container.aclose()
    # The URL carries a fingerprint of the secret (bot.telegram.registration).
    expected = webhook_url(container.settings)
    assert expected.startswith("https://trainlytics.example.com/telegram/webhook?v=")
    assert call.params["url"] == expected
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert tg.webhook_url == expected


async def test_an_update_with_the_right_secret_is_answered(tg, container) -> None:
    update = tg.user_sends(CHAT, "/start")
    response = await post_update(container, update)
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


# --------------------------------------------------------------------------- garbage, long


async def test_an_invalid_update_with_the_right_secret_is_answered_200_and_dropped(
    tg, container, db
) -> None:
    """A body that is JSON with an update_id but not a Telegram update: Telegram would
    redeliver it after any non-2xx answer, and it would fail the same way each time."""
    garbage = {"update_id": 41, "message": {"message_id": "not a number", "chat": 5}}
    response = await post_update(container, garbage)
    assert response.status_code == 200
    assert tg.calls_to("sendMessage") == []
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


COACH_CHAT = 9090


async def _coach_and_athlete_on_telegram(db, clock) -> None:
    async with db.unit_of_work() as session:
        ana, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, str(CHAT), chat_id=str(CHAT), display_name="Ana"),
        )
        claire, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(
                Platform.TELEGRAM, str(COACH_CHAT), chat_id=str(COACH_CHAT), display_name="Claire"
            ),
        )
        ana.onboarded = claire.onboarded = True
        claire.role = "coach"
        await coached(session, clock, claire, ana)
        today = await planning.local_today(session, clock, ana.id)
        await planning.create_workout(
            session, clock, ana.id, ana.id, today, planning.WorkoutSpec(sport="run", title="Run")
        )


async def test_a_long_emoji_comment_reaches_the_athlete_in_messages_telegram_accepts(
    tg, container, db, clock
) -> None:
    """2,040 emoji are 2,040 characters but 4,080 UTF-16 code units, what Telegram counts:
    with the comment's heading the notification is over 4,096 and must be cut."""
    await _coach_and_athlete_on_telegram(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    tg.add_chat(COACH_CHAT, first_name="Claire")
    body = "\n".join("🏃" * 40 for _ in range(51))  # 2,040 emoji on 51 lines
    update = tg.user_sends(COACH_CHAT, f"/comment Ana {body}")
    response = await post_update(container, update)
    assert response.status_code == 200
    assert "Sent to Ana" in tg.chat_messages(COACH_CHAT)[-1]["text"]

    sender = container.senders["telegram"]
    assert sender is not None
    await deliver_due(db, clock, {"telegram": sender}, MemoryTokenBuckets(), images={})

    async with db.unit_of_work() as session:
        row = await session.scalar(
            select(Notification).where(Notification.kind == NotificationKind.COACH_COMMENT)
        )
        assert row is not None and row.status == NotificationStatus.SENT, row.last_error
    shown = [m["text"] for m in tg.chat_messages(CHAT) if "🏃" in m.get("text", "")]
    assert len(shown) == 2
    assert all(utf16_length(text) <= 4096 for text in shown)
    assert "".join(shown).count("🏃") == 2040


async def test_a_caption_too_long_for_a_photo_follows_it_as_text_messages(tg, container) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    door = container.telegram
    assert door is not None
    caption = Text.of("\n\n".join("🚴" * 500 for _ in range(6)))  # 6,000 UTF-16 units
    reply = Reply.of(Image(png=one_pixel_png(), filename="chart.png", caption=caption))
    shown = await send_reply(door.bot, CHAT, reply)
    messages = tg.chat_messages(CHAT)
    assert len(shown) == len(messages) == 3
    assert "photo" in messages[0] and "caption" not in messages[0]
    assert all(utf16_length(m["text"]) <= 4096 for m in messages[1:])
    assert sum(m["text"].count("🚴") for m in messages[1:]) == 3000
