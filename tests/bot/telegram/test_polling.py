"""Conversations with the bot in long-polling mode (no public URL), through the fake API."""

from __future__ import annotations

from tests.fakes.telegram_bot_api import FakeTelegramBotAPI

CHAT = 4242


def texts_to(tg: FakeTelegramBotAPI, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in tg.chat_messages(chat_id)]


async def test_start_greets_the_new_person_and_asks_their_role(tg, polling) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/start")

    asked = await tg.wait_for(
        lambda c: c.method == "sendMessage" and "athlete" in str(c.params.get("text", "")).lower()
    )

    assert any("Welcome to Trainlytics, Ana" in t for t in texts_to(tg, CHAT))
    keyboard = asked.params["reply_markup"]["inline_keyboard"]
    buttons = [b["callback_data"] for row in keyboard for b in row]
    assert "ob:role:athlete" in buttons
