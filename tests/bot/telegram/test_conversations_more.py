"""More whole conversations through aiogram and the fake Bot API: a FIT upload and its
check-in, a coach comment answered with Reply, a scheduled reminder, and /week cards
skipped and moved. Each checks what the person sees and what was stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import httpx
from sqlalchemy import select

from core import schedules
from core.coaching import comments
from core.db.models import Activity, Comment, Notification, User, Workout
from core.enums import NotificationKind, Platform, WorkoutStatus
from core.outbox.delivery import deliver_due
from core.people import identities as accounts
from core.people.identities import ChatAddress
from core.planning import workouts as planning
from tests.bot.telegram.conftest import WEBHOOK_SECRET
from tests.factories import coached, person
from tests.fakes import RecordedCall
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from tests.jobs_backend import broker, jobs_for, reconcile_schedules, schedule_source, send_reminder
from trainlytics.web_app import build_web_app
from workers.ratelimit import MemoryTokenBuckets

CHAT = 8080
FIXTURES = Path(__file__).parents[2] / "fixtures" / "activities"
EDGE810_DAY = date(2013, 8, 16)  # the ride in cycling_power_outdoor_edge810.fit


def buttons_of(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def bot_says(tg: FakeTelegramBotAPI, fragment: str, *, method: str = "sendMessage") -> dict:
    """The message the bot sends (or edits) in CHAT whose shown text contains `fragment`."""

    def matches(call: RecordedCall) -> bool:
        return (
            call.method == method
            and call.ok
            and call.response["result"]["chat"]["id"] == CHAT
            and fragment in call.response["result"].get("text", "")
        )

    return (await tg.wait_for(matches)).response["result"]


async def athlete(db, clock, *, coach: bool = True) -> tuple[int, int | None]:
    """Ana on Telegram (Europe/Paris, onboarded), coached by Claire when `coach`."""
    async with db.unit_of_work() as session:
        ana, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, str(CHAT), chat_id=str(CHAT), display_name="Ana"),
        )
        ana.timezone = "Europe/Paris"
        ana.onboarded = True
        coach_id = None
        if coach:
            claire = await person(session, "Claire")
            claire.role = "coach"
            await coached(session, clock, claire, ana)
            coach_id = claire.id
        return ana.id, coach_id


async def plan(db, clock, athlete_id: int, day: date, title: str, sport: str = "run") -> int:
    async with db.unit_of_work() as session:
        workout = await planning.create_workout(
            session,
            clock,
            athlete_id,
            athlete_id,
            day,
            planning.WorkoutSpec(sport=sport, title=title, planned_duration_s=3600),
        )
        return workout.id


async def coach_rows(db, coach_id: int, kind: str) -> list[Notification]:
    async with db.unit_of_work() as session:
        return list(
            await session.scalars(
                select(Notification).where(
                    Notification.recipient_id == coach_id, Notification.kind == kind
                )
            )
        )


async def deliver(container, clock) -> None:
    sender = container.senders["telegram"]
    assert sender is not None
    await deliver_due(container.db, clock, {"telegram": sender}, MemoryTokenBuckets(), images={})


# --------------------------------------------------------------------------- FIT + check-in


async def test_a_fit_upload_then_the_check_in_is_stored_on_the_ride_and_its_workout(
    tg, db, clock, polling
) -> None:
    clock.set(datetime(2013, 8, 16, 19, 0, tzinfo=UTC))  # the evening after the ride
    ana_id, coach_id = await athlete(db, clock)
    assert coach_id is not None, "Ana is coached by Claire"
    workout_id = await plan(db, clock, ana_id, EDGE810_DAY, "Endurance ride 80'", sport="ride")
    tg.add_chat(CHAT, first_name="Ana")

    data = (FIXTURES / "cycling_power_outdoor_edge810.fit").read_bytes()
    tg.user_sends_document(CHAT, "ride.fit", data, "application/octet-stream")
    imported = await bot_says(tg, "Endurance ride 80'")
    assert "Weighted power 301 W" in imported["text"]
    rpe = await bot_says(tg, "How hard was it?")
    rpe_7 = next(d for d in buttons_of(rpe) if d.startswith("ci:rpe:a:") and d.endswith(":7"))
    activity_id = int(rpe_7.split(":")[3])

    tg.user_presses(CHAT, rpe["message_id"], rpe_7)
    feel = await bot_says(tg, "How did you feel?")
    tg.user_presses(CHAT, feel["message_id"], f"ci:feel:a:{activity_id}:4")
    pain = await bot_says(tg, "Any pain or niggle?")
    tg.user_presses(CHAT, pain["message_id"], f"ci:pain:a:{activity_id}")
    note = await bot_says(tg, "Where does it hurt?")
    assert buttons_of(note) == [f"ci:nopain:a:{activity_id}"]
    tg.user_sends(CHAT, "left knee, outside")
    await bot_says(tg, "Your coach will see it.")

    async with db.unit_of_work() as session:
        ride = await session.get_one(Activity, activity_id)
        workout = await session.get_one(Workout, workout_id)
    for answered in (ride, workout):
        assert (answered.rpe, answered.feel, answered.pain, answered.pain_note) == (
            7,
            4,
            True,
            "left knee, outside",
        )
    assert workout.matched_activity_id == activity_id
    check_ins = await coach_rows(db, coach_id, NotificationKind.CHECK_IN)
    assert [r.payload["pain_note"] for r in check_ins if r.payload.get("pain")] == [
        "left knee, outside"
    ]
    assert all(r.payload["activity_id"] == activity_id for r in check_ins)


# --------------------------------------------------------------------------- coach comment


def webhook_client(container) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_web_app(container))
    return httpx.AsyncClient(transport=transport, base_url="http://trainlytics.test")


async def post(client: httpx.AsyncClient, update: dict) -> None:
    response = await client.post(
        "/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    )
    assert response.status_code == 200


async def test_a_coach_comment_arrives_with_reply_and_the_answer_reaches_the_coach(
    tg, db, clock, container
) -> None:
    ana_id, coach_id = await athlete(db, clock)
    assert coach_id is not None, "Ana is coached by Claire"
    today = clock.now().date()
    workout_id = await plan(db, clock, ana_id, today, "Tempo run 40'")
    async with db.unit_of_work() as session:
        await comments.add_comment(
            session, clock, coach_id, "Keep the tempo honest today", workout_id=workout_id
        )
    tg.add_chat(CHAT, first_name="Ana")

    await deliver(container, clock)

    [comment] = [c.response["result"] for c in tg.sent_messages(CHAT)]
    assert "Keep the tempo honest today" in comment["text"]
    assert buttons_of(comment) == [f"cm:reply:w:{workout_id}"]

    async with webhook_client(container) as client:  # webhook mode
        await post(client, tg.user_presses(CHAT, comment["message_id"], f"cm:reply:w:{workout_id}"))
        await bot_says(tg, "Type your reply to Claire")
        await post(client, tg.user_sends(CHAT, "Will do, felt strong yesterday"))
        await bot_says(tg, "Reply sent.")

    async with db.unit_of_work() as session:
        answers = list(await session.scalars(select(Comment).where(Comment.author_id == ana_id)))
    assert [(c.body, c.workout_id) for c in answers] == [
        ("Will do, felt strong yesterday", workout_id)
    ]
    [to_coach] = await coach_rows(db, coach_id, NotificationKind.ATHLETE_COMMENT)
    assert to_coach.payload["comment_id"] == answers[0].id


# --------------------------------------------------------------------------- reminder


async def test_the_morning_reminder_fired_twice_reaches_the_athlete_once(
    tg, db, clock, container
) -> None:
    clock.set(datetime(2026, 3, 10, 5, 59, tzinfo=UTC))  # 06:59 in Paris (UTC+1 in March)
    ana_id, _ = await athlete(db, clock, coach=False)
    async with db.unit_of_work() as session:
        (await session.get_one(User, ana_id)).reminder_morning_at = time(7, 0)
    workout_id = await plan(db, clock, ana_id, date(2026, 3, 10), "Tempo 3x10'")
    tg.add_chat(CHAT, first_name="Ana")
    sender = container.senders["telegram"]
    assert sender is not None
    jobs = jobs_for(container, senders={"telegram": sender}, limiter=MemoryTokenBuckets())
    broker.state.jobs = jobs
    try:
        await (await reconcile_schedules.kiq(ana_id)).wait_result(timeout=10)
        [morning] = [
            s
            for s in await schedule_source.get_schedules()
            if s.schedule_id == f"reminder:{ana_id}:morning"
        ]
        assert (morning.cron, morning.cron_offset) == ("0 7 * * *", "Europe/Paris")
        assert tg.sent_messages(CHAT) == []  # nothing before 07:00

        # The scheduler fires the person's cron at 07:00 Paris, and (a retry, a second
        # scheduler) once more.
        clock.set(schedules.next_fire(time(7, 0), "Europe/Paris", clock.now()))
        assert clock.now() == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
        for _ in range(2):
            result = await (await send_reminder.kiq(ana_id, "morning")).wait_result(timeout=10)
            assert not result.is_err, result.error
    finally:
        broker.state.jobs = None
        for schedule in await schedule_source.get_schedules():
            await schedule_source.delete_schedule(schedule.schedule_id)

    [reminder] = [c.response["result"] for c in tg.sent_messages(CHAT)]
    assert "Tempo 3x10'" in reminder["text"]
    assert f"wk:done:{workout_id}" in buttons_of(reminder)


# --------------------------------------------------------------------------- /week cards


async def test_week_cards_pressed_skip_and_move(tg, db, clock, polling) -> None:
    ana_id, _ = await athlete(db, clock, coach=False)
    wednesday, thursday, saturday = date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 14)
    intervals = await plan(db, clock, ana_id, wednesday, "Intervals 6x3'")
    long_run = await plan(db, clock, ana_id, thursday, "Long run 90'")
    tg.add_chat(CHAT, first_name="Ana")

    tg.user_sends(CHAT, "/week")
    skip_card = await bot_says(tg, "Intervals 6x3'")
    move_card = await bot_says(tg, "Long run 90'")
    assert f"wk:skip:{intervals}" in buttons_of(skip_card)
    assert f"wk:move:{long_run}" in buttons_of(move_card)

    tg.user_presses(CHAT, skip_card["message_id"], f"wk:skip:{intervals}")
    await bot_says(tg, "is skipped. Rest well.")
    edited = next(m for m in tg.chat_messages(CHAT) if m["message_id"] == skip_card["message_id"])
    assert "Intervals 6x3'" in edited["text"]
    assert f"wk:skip:{intervals}" not in buttons_of(edited)

    tg.user_presses(CHAT, move_card["message_id"], f"wk:move:{long_run}")
    picker = await bot_says(tg, "to which day?")
    to_saturday = f"wk:moveto:{long_run}:{saturday.isoformat()}"
    assert to_saturday in buttons_of(picker)
    assert f"wk:moveto:{long_run}:{thursday.isoformat()}" not in buttons_of(picker)
    tg.user_presses(CHAT, picker["message_id"], to_saturday)
    moved = await bot_says(tg, "Moved", method="editMessageText")
    assert moved["message_id"] == picker["message_id"]
    assert buttons_of(moved) == []

    async with db.unit_of_work() as session:
        skipped = await session.get_one(Workout, intervals)
        rescheduled = await session.get_one(Workout, long_run)
    assert skipped.status == WorkoutStatus.SKIPPED
    assert (rescheduled.scheduled_date, rescheduled.status) == (saturday, WorkoutStatus.PLANNED)
