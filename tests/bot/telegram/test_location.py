"""Telegram's one-tap location button at the timezone question (issue 13.10)."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.db.models import User
from tests.bot.telegram.test_conversations_more import CHAT, bot_says


async def test_the_timezone_question_offers_the_location_button_and_uses_the_boundaries(
    tg, db, polling
):
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/start")
    role = await bot_says(tg, "athlete")
    tg.user_presses(CHAT, role["message_id"], "ob:role:athlete")
    zones = await bot_says(tg, "Which timezone are you in?")
    assert "inline_keyboard" in zones["reply_markup"]  # the zone buttons stay inline
    await bot_says(tg, "Or share your location")
    sent = await tg.wait_for(
        lambda c: c.method == "sendMessage" and "Or share" in str(c.params.get("text"))
    )
    markup = sent.params["reply_markup"]  # a reply keyboard: Telegram does not echo it back
    markup = json.loads(markup) if isinstance(markup, str) else markup
    assert markup["keyboard"] == [[{"text": "📍 Share my location", "request_location": True}]]
    assert markup["one_time_keyboard"] is True

    tg.user_shares_location(CHAT, 33.749, -84.388)  # Atlanta
    await bot_says(tg, "Near Atlanta: timezone set to America/New_York.")
    await bot_says(tg, "Metric (km) or imperial (miles)?")
    async with db.unit_of_work() as session:
        ana = await session.scalar(select(User).where(User.name == "Ana"))
    assert ana.timezone == "America/New_York"
