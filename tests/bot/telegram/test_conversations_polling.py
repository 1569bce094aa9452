"""Whole conversations with the bot in long-polling mode, as a person would have them.

Each test plays the person through the fake Bot API (typed lines, pressed buttons) and
checks what they see (texts, buttons) and what was stored.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.coaching import relationships as coaching
from core.db.models import Activity, ChatIdentity, CoachingRelationship, User
from core.enums import Platform
from core.people import identities as accounts
from core.people.identities import ChatAddress
from tests.fakes import RecordedCall
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI

CHAT = 7070


def buttons_of(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def bot_says(tg: FakeTelegramBotAPI, chat_id: int, fragment: str) -> dict:
    """The message the bot sends next in `chat_id` containing `fragment` (waits for it)."""

    def matches(call: RecordedCall) -> bool:
        return (
            call.method == "sendMessage"
            and call.ok
            and call.response["result"]["chat"]["id"] == chat_id
            and fragment in str(call.params.get("text", ""))
        )

    call = await tg.wait_for(matches)
    return call.response["result"]


async def person(db, chat_id: int = CHAT) -> User:
    async with db.unit_of_work() as session:
        return await session.scalar(
            select(User)
            .join(ChatIdentity, ChatIdentity.user_id == User.id)
            .where(ChatIdentity.platform_user_id == str(chat_id))
        )


async def test_the_command_menu_is_published_in_english_and_french(tg, polling) -> None:
    french = await tg.wait_for(
        lambda c: c.method == "setMyCommands" and c.params.get("language_code") == "fr"
    )
    english = next(
        c for c in tg.calls if c.method == "setMyCommands" and not c.params.get("language_code")
    )

    menu_en = {c["command"]: c["description"] for c in english.params["commands"]}
    menu_fr = {c["command"]: c["description"] for c in french.params["commands"]}
    assert menu_en.keys() == menu_fr.keys()
    assert {"today", "week", "plan", "log", "coach", "help", "start"} <= menu_en.keys()
    assert menu_en["plan"] == "The next 14 days"
    assert menu_fr["plan"] == "Les 14 prochains jours"


async def test_onboarding_from_start_to_done(tg, db, polling) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/start")
    role = await bot_says(tg, CHAT, "athlete")
    assert "ob:role:athlete" in buttons_of(role)

    tg.user_presses(CHAT, role["message_id"], "ob:role:athlete")
    await bot_says(tg, CHAT, "Which timezone are you in?")
    tg.user_sends(CHAT, "Lyon")
    await bot_says(tg, CHAT, "Timezone set to Europe/Paris")
    units = await bot_says(tg, CHAT, "Metric (km) or imperial (miles)?")

    tg.user_presses(CHAT, units["message_id"], "ob:units:imperial")
    for n in range(1, 8):  # FTP, heart rates, paces, swim CSS, weight: all optional
        question = await bot_says(tg, CHAT, f"Optional ({n} of 7)")
        tg.user_presses(CHAT, question["message_id"], "ob:skip")
    await bot_says(tg, CHAT, "All set!")

    ana = await person(db)
    assert (ana.role, ana.timezone, ana.units, ana.onboarded) == (
        "athlete",
        "Europe/Paris",
        "imperial",
        True,
    )


async def test_a_coach_gets_a_menu_of_their_own_with_the_coach_commands_first(
    tg, db, polling
) -> None:
    tg.add_chat(CHAT, first_name="Zoe")
    await tg.wait_for(lambda c: c.method == "setMyCommands")  # the defaults, at start
    tg.user_sends(CHAT, "/start")
    role = await bot_says(tg, CHAT, "athlete")
    assert [c["command"] for c in tg.menu_for(CHAT)][:1] == ["today"]

    tg.user_presses(CHAT, role["message_id"], "ob:role:coach")
    await bot_says(tg, CHAT, "Which timezone are you in?")
    await tg.wait_for(
        lambda c: (
            c.method == "setMyCommands" and (c.params.get("scope") or {}).get("type") == "chat"
        )
    )
    commands = [c["command"] for c in tg.menu_for(CHAT)]
    assert commands[:5] == ["roster", "athlete", "invite", "comment", "digest"]
    assert "today" in commands
    assert [c["command"] for c in tg.menu_for(CHAT + 1)][:1] == ["today"]  # others keep theirs


async def test_switching_language_in_settings_gives_a_menu_in_that_language(
    tg, db, polling
) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/settings")
    menu = await bot_says(tg, CHAT, "Language: en")
    tg.user_presses(CHAT, menu["message_id"], "st:menu:lang")
    await tg.wait_for(
        lambda c: (
            c.method == "setMyCommands" and (c.params.get("scope") or {}).get("type") == "chat"
        )
    )
    french = {c["command"]: c["description"] for c in tg.menu_for(CHAT, "en")}
    assert french["plan"] == "Les 14 prochains jours"
    assert "roster" not in french


async def test_joining_a_coach_with_an_invitation_code(tg, db, clock, polling) -> None:
    async with db.unit_of_work() as session:
        coach, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, "9001", chat_id="9001", display_name="Coach Zoe"),
        )
        code = (await coaching.create_invitation(session, clock, coach.id)).code
        coach_id = coach.id
    tg.add_chat(CHAT, first_name="Ana")

    tg.user_sends(CHAT, f"/coach {code}")
    await bot_says(tg, CHAT, "You're now coached by Coach Zoe")

    ana = await person(db)
    async with db.unit_of_work() as session:
        relationship = await session.scalar(
            select(CoachingRelationship).where(CoachingRelationship.athlete_id == ana.id)
        )
    assert (relationship.coach_id, relationship.status) == (coach_id, "active")


async def test_a_quick_log_confirmed_with_its_button_is_stored(tg, db, clock, polling) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/log ran 10k in 52 min yesterday rpe 6")
    proposal = await bot_says(tg, CHAT, "10.0 km")
    assert buttons_of(proposal) == ["lg:ok", "lg:no"]

    tg.user_presses(CHAT, proposal["message_id"], "lg:ok")
    await tg.wait_for(
        lambda c: c.method == "editMessageText" and "Recorded:" in str(c.params.get("text"))
    )
    shown = next(m for m in tg.chat_messages(CHAT) if m["message_id"] == proposal["message_id"])
    assert shown["text"].startswith("Recorded:")
    assert buttons_of(shown) == []  # the confirmed proposal can't be confirmed twice

    ana = await person(db)
    async with db.unit_of_work() as session:
        stored = (await session.scalars(select(Activity).where(Activity.user_id == ana.id))).all()
    assert len(stored) == 1
    run = stored[0]
    assert (run.sport, run.distance_m, run.moving_s) == ("run", 10000, 52 * 60)
    assert run.local_date == clock.now().date() - timedelta(days=1)
