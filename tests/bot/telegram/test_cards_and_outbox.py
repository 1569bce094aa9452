"""A day's workout card pressed Done, a FIT upload, and outbox messages reaching Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from core.db.models import ChatIdentity, Notification, Workout
from core.enums import NotificationKind, NotificationStatus, Platform, WorkoutStatus
from core.outbox import notifications
from core.outbox.delivery import deliver_due
from core.outbox.payloads import read_payload
from core.people import identities as accounts
from core.people.identities import ChatAddress
from core.planning import workouts as planning
from workers.ratelimit import MemoryTokenBuckets

CHAT = 5150
FIXTURES = Path(__file__).parents[2] / "fixtures" / "activities"


async def athlete_with_workout(db, clock, title: str = "Tempo run 40'") -> tuple[int, int]:
    async with db.unit_of_work() as session:
        user, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, str(CHAT), chat_id=str(CHAT), display_name="Ana"),
        )
        user.timezone = "Europe/Paris"
        user.onboarded = True
        today = await planning.local_today(session, clock, user.id)
        workout = await planning.create_workout(
            session,
            clock,
            user.id,
            user.id,
            today,
            planning.WorkoutSpec(sport="run", title=title, planned_duration_s=2400),
        )
        return user.id, workout.id


def buttons_of(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def test_today_card_pressed_done_marks_the_workout_and_edits_the_card(
    tg, db, clock, polling
) -> None:
    _, workout_id = await athlete_with_workout(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/today")
    card_call = await tg.wait_for(
        lambda c: c.method == "sendMessage" and "Tempo run" in str(c.params.get("text"))
    )
    card = card_call.response["result"]
    assert f"wk:done:{workout_id}" in buttons_of(card)

    tg.user_presses(CHAT, card["message_id"], f"wk:done:{workout_id}")
    await tg.wait_for(lambda c: c.method == "editMessageText")
    await tg.wait_for(lambda c: c.method == "answerCallbackQuery")

    async with db.unit_of_work() as session:
        workout = await session.get_one(Workout, workout_id)
        assert workout.status == WorkoutStatus.COMPLETED
    edited = next(m for m in tg.chat_messages(CHAT) if m["message_id"] == card["message_id"])
    assert f"wk:done:{workout_id}" not in buttons_of(edited)


async def test_a_fit_file_sent_as_a_document_becomes_an_activity(tg, polling, clock) -> None:
    clock.set(datetime(2017, 6, 12, 8, tzinfo=UTC))  # the day after the run: asked
    data = (FIXTURES / "running_short_fenix5.fit").read_bytes()
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends_document(CHAT, "morning.fit", data, "application/octet-stream")

    await tg.wait_for(lambda c: c.method == "getFile")
    answer = await tg.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.params.get("reply_markup") is not None
            and any(d.startswith("ci:rpe") for d in _data(c.params["reply_markup"]))
        )
    )
    assert answer.ok


def _data(markup: dict) -> list[str]:
    return [b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row]


async def deliver(container, clock) -> None:
    sender = container.senders["telegram"]
    assert sender is not None
    await deliver_due(container.db, clock, {"telegram": sender}, MemoryTokenBuckets(), images={})


async def reminder(db, clock, user_id: int, workout_id: int) -> None:
    async with db.unit_of_work() as session:
        await notifications.notify(
            session,
            clock,
            recipient_id=user_id,
            payload=read_payload(NotificationKind.REMINDER, {"workout_id": workout_id}),
            key=f"reminder:{workout_id}",
        )


async def test_a_reminder_from_the_outbox_arrives_with_the_workout_buttons(
    tg, db, clock, container
) -> None:
    user_id, workout_id = await athlete_with_workout(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    await reminder(db, clock, user_id, workout_id)

    await deliver(container, clock)

    sent = tg.sent_messages(CHAT)
    assert len(sent) == 1
    assert f"wk:done:{workout_id}" in _data(sent[0].params["reply_markup"])
    async with db.unit_of_work() as session:
        row = await session.scalar(select(Notification))
        assert row.status == NotificationStatus.SENT
        assert row.external_message_id == str(sent[0].response["result"]["message_id"])


async def test_a_429_delays_the_message_which_is_then_delivered_once(
    tg, db, clock, container
) -> None:
    user_id, workout_id = await athlete_with_workout(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    await reminder(db, clock, user_id, workout_id)
    tg.fail_next("sendMessage", 429, retry_after=7)

    await deliver(container, clock)
    assert tg.sent_messages(CHAT) == []
    async with db.unit_of_work() as session:
        row = await session.scalar(select(Notification))
        assert row.status == NotificationStatus.PENDING
        assert (row.next_attempt_at - clock.now()).total_seconds() == 7

    await deliver(container, clock)  # too early: Telegram asked for 7 s
    assert tg.sent_messages(CHAT) == []
    clock.advance(timedelta(seconds=8))
    await deliver(container, clock)
    await deliver(container, clock)
    assert len(tg.sent_messages(CHAT)) == 1


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(tg, db, clock, container) -> None:
    user_id, workout_id = await athlete_with_workout(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    tg.block_bot(CHAT)
    await reminder(db, clock, user_id, workout_id)

    await deliver(container, clock)

    assert tg.sent_messages(CHAT) == []
    async with db.unit_of_work() as session:
        identity = await session.scalar(select(ChatIdentity))
        assert identity.unreachable_at is not None
