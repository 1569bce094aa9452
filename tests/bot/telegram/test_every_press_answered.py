"""No button press is left unanswered, and a bug gets the person an apology (issue 13.1).

Ana opens /settings on Telegram and presses every button, then every button of what it
showed: each press gets its answerCallbackQuery and a message that is not the apology.
When something breaks behind a command or a press, she reads a short apology naming a
reference, and the log line carries the same reference.
"""

from __future__ import annotations

import logging

from bot.conversation.handlers import people
from tests.bot.telegram.test_conversations_more import CHAT, athlete, bot_says, buttons_of
from tests.fakes import RecordedCall
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI

APOLOGY = "something went wrong on my side"


async def press(tg: FakeTelegramBotAPI, message: dict, data: str) -> list[dict]:
    """Press `data` on `message`; return what the bot sent or edited in answer."""
    before = len(tg.calls)
    update = tg.user_presses(CHAT, message["message_id"], data)
    query_id = update["callback_query"]["id"]

    def answered(call: RecordedCall) -> bool:
        return call.method == "answerCallbackQuery" and (
            str(call.params.get("callback_query_id")) == query_id
        )

    def replied(call: RecordedCall) -> bool:
        return (
            call.method in ("sendMessage", "editMessageText", "sendPhoto")
            and call.ok
            and tg.calls.index(call) >= before
        )

    assert (await tg.wait_for(answered)).ok
    await tg.wait_for(replied)
    return [
        call.response["result"]
        for call in tg.calls[before:]
        if call.method in ("sendMessage", "editMessageText", "sendPhoto") and call.ok
    ]


async def test_every_settings_button_and_the_thresholds_flow_answer(tg, db, clock, polling):
    await athlete(db, clock, coach=False)
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/settings")
    menu = await bot_says(tg, "Timezone:")
    for data in buttons_of(menu):
        shown = await press(tg, menu, data)
        assert all(APOLOGY not in m.get("text", "") for m in shown), (data, shown)
        for reply in shown:
            for inner in buttons_of(reply)[:3]:
                again = await press(tg, reply, inner)
                assert all(APOLOGY not in m.get("text", "") for m in again), (inner, again)
        tg.user_sends(CHAT, "/settings")  # back to a fresh menu for the next button
        menu = await bot_says(tg, "Timezone:")


async def test_a_bug_behind_a_command_is_an_apology_with_the_logged_reference(
    tg, db, clock, polling, monkeypatch, caplog
):
    async def broken(*args, **kwargs):
        raise RuntimeError("forecast store is down")

    monkeypatch.setattr(people.training_load, "forecast_to", broken)
    await athlete(db, clock, coach=False)
    tg.add_chat(CHAT, first_name="Ana")
    with caplog.at_level(logging.ERROR, logger="bot.conversation.dispatcher"):
        tg.user_sends(CHAT, "/race 2026-06-01")
        said = await bot_says(tg, APOLOGY)
    ref = said["text"].rsplit(" ", 1)[-1].rstrip(".")
    [record] = [r for r in caplog.records if "conversation_failed" in r.getMessage()]
    assert record.request_id == ref and ref in record.getMessage()
    assert record.exc_info and "forecast store is down" in str(record.exc_info[1])


async def test_a_bug_behind_a_button_still_answers_the_press(tg, db, clock, polling, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("preferences table locked")

    monkeypatch.setattr(people.notifications, "preferences", broken)
    await athlete(db, clock, coach=False)
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/settings")
    menu = await bot_says(tg, "Timezone:")
    shown = await press(tg, menu, "st:menu:notif")
    assert any(APOLOGY in m.get("text", "") for m in shown)
