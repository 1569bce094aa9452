"""Scheduled messages: the right local time across DST, one schedule per reminder, one
message per fire however often it fires."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from taskiq.cli.scheduler.run import is_cron_task_now

from core import schedules
from core.db.models import Activity, DailyLoad, Notification, PersonSchedule, Workout
from core.enums import NotificationKind
from core.outbox.delivery import deliver_due
from core.schedules.timing import ReminderSlot, ScheduleSpec
from tests.factories import coached, person
from tests.jobs_backend import send_reminder
from workers.ratelimit import MemoryTokenBuckets
from workers.schedule_sources import MemoryScheduleSource, TaskScheduleStore

PARIS = "Europe/Paris"
# 2026: summer time starts Sunday 29 March, ends Sunday 25 October.
CASES = [
    (date(2026, 3, 28), datetime(2026, 3, 28, 6, 0, tzinfo=UTC)),
    (date(2026, 3, 30), datetime(2026, 3, 30, 5, 0, tzinfo=UTC)),
    (date(2026, 10, 24), datetime(2026, 10, 24, 5, 0, tzinfo=UTC)),
    (date(2026, 10, 26), datetime(2026, 10, 26, 6, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("day", "expected"), CASES)
def test_a_7am_paris_reminder_fires_at_the_right_utc_instant_across_dst(day, expected):
    evening_before = datetime.combine(day - timedelta(days=1), time(20), UTC)
    assert schedules.next_fire(time(7, 0), PARIS, evening_before) == expected
    # The scheduler itself (taskiq reads our cron in the person's zone) agrees, and does
    # not fire an hour early or late.
    cron = schedules.cron_at(time(7, 0))
    assert is_cron_task_now(cron, expected, offset=PARIS)
    for wrong in (expected - timedelta(hours=1), expected + timedelta(hours=1)):
        assert not is_cron_task_now(cron, wrong, offset=PARIS)


def test_weekly_slot_only_on_mondays_in_the_persons_zone():
    monday_7 = datetime(2026, 3, 30, 5, 0, tzinfo=UTC)  # Monday 07:00 Paris (summer)
    assert schedules.next_fire(time(7), PARIS, monday_7 - timedelta(days=3), weekday=0) == monday_7
    assert schedules.local_slot_reached(PARIS, monday_7, time(7), weekday=0)
    assert not schedules.local_slot_reached(PARIS, monday_7 - timedelta(minutes=1), time(7), 0)
    assert not schedules.local_slot_reached(PARIS, monday_7 + timedelta(days=1), time(7), 0)


async def test_moving_a_reminder_replaces_its_schedule_never_duplicates(db, clock):
    source = MemoryScheduleSource()
    store = TaskScheduleStore(source, send_reminder)
    async with db.unit_of_work() as s:
        ana = await person(s, "Ana", tz=PARIS)
        uid = ana.id
        first = await schedules.reconcile(s, uid, store)
    assert sorted(first.added) == [f"reminder:{uid}:evening", f"reminder:{uid}:morning"]
    morning = source.schedules[f"reminder:{uid}:morning"]
    assert (morning.cron, morning.cron_offset, morning.args) == (
        "0 7 * * *",
        PARIS,
        [uid, "morning"],
    )

    async with db.unit_of_work() as s:
        assert (await schedules.reconcile(s, uid, store)).added == []  # nothing changed
        user = await s.get_one(type(ana), uid)
        user.reminder_morning_at = time(6, 30)
        user.timezone = "America/New_York"
        moved = await schedules.reconcile_all(s, store)
        assert (await schedules.reconcile_all(s, store)).users == []  # in step now
    assert len(moved.added) == 2 and len(source.schedules) == 2  # replaced, not added
    morning = source.schedules[f"reminder:{uid}:morning"]
    assert (morning.cron, morning.cron_offset) == ("30 6 * * *", "America/New_York")

    async with db.unit_of_work() as s:
        user = await s.get_one(type(ana), uid)
        user.reminder_evening_at = None
        await schedules.reconcile(s, uid, store)
        kinds = set(await s.scalars(select(PersonSchedule.kind)))
    assert list(source.schedules) == [f"reminder:{uid}:morning"] and kinds == {"reminder_morning"}


async def test_evening_reminder_lists_tomorrows_workouts_and_a_double_fire_sends_once(db, clock):
    clock.set(datetime(2026, 3, 10, 19, 0, tzinfo=UTC))  # 20:00 in Paris
    async with db.unit_of_work() as s:
        ana = await person(s, "Ana", tz=PARIS)
        uid = ana.id
        s.add(
            Workout(
                athlete_id=uid,
                sport="run",
                title="6x800m",
                key_workout=True,
                scheduled_date=date(2026, 3, 11),
            )
        )
        s.add(
            Workout(
                athlete_id=uid,
                sport="bike",
                title="Recovery spin",
                scheduled_date=date(2026, 3, 10),
            )
        )
    async with db.unit_of_work() as s:
        first = await schedules.write_reminder(s, clock, uid, ReminderSlot.EVENING)
        again = await schedules.write_reminder(s, clock, uid, ReminderSlot.EVENING)
        rows = list(await s.scalars(select(Notification)))
    assert first is not None and again is not None
    assert again.id == first.id and len(rows) == 1
    assert rows[0].idempotency_key == f"reminder:{uid}:2026-03-11:evening"
    assert [w["title"] for w in rows[0].payload["workouts"]] == ["6x800m"]
    async with db.unit_of_work() as s:
        clock.advance(timedelta(hours=11))  # next morning 07:00: nothing left planned today
        assert await schedules.write_reminder(s, clock, uid, "morning") is not None
        clock.advance(timedelta(days=1))
        assert await schedules.write_reminder(s, clock, uid, "morning") is None


async def test_monday_summary_has_the_weeks_numbers_and_a_load_chart(db, clock):
    class Keep:
        platform = "console"

        def __init__(self) -> None:
            self.views: list = []

        async def send(self, recipient, view):
            self.views.append(view)
            from core.outbox.sending import SentReceipt

            return SentReceipt("1")

    async with db.unit_of_work() as s:
        ana = await person(s, "Ana", tz=PARIS)
        uid = ana.id
        for i in range(28):
            day = date(2026, 3, 2) + timedelta(days=i)
            s.add(
                DailyLoad(
                    user_id=uid,
                    day=day,
                    load=50.0,
                    fitness=40.0 + i,
                    fatigue=55.0,
                    form=-10.0 + i / 2,
                )
            )
        s.add(
            Activity(
                user_id=uid,
                source="manual",
                source_id="a1",
                sport="run",
                start_utc=datetime(2026, 3, 24, 6, tzinfo=UTC),
                local_date=date(2026, 3, 24),
                elapsed_s=3600,
                moving_s=3500,
                distance_m=10000,
                load=70,
            )
        )
    clock.set(datetime(2026, 3, 30, 5, 0, tzinfo=UTC))  # Monday 07:00 Paris
    async with db.unit_of_work() as s:
        result = await schedules.fan_out(s, clock)
        await schedules.fan_out(s, clock)  # a second scheduler fire
        rows = list(await s.scalars(select(Notification)))
    assert result.weekly_summaries == [uid] and len(rows) == 1
    payload = rows[0].payload
    assert (payload["week_start"], payload["activities"], payload["distance_m"]) == (
        "2026-03-23",
        1,
        10000,
    )
    assert payload["form"] == pytest.approx(-10.0 + 27 / 2, abs=0.1)
    sender = Keep()
    await deliver_due(db, clock, {"console": sender}, MemoryTokenBuckets())
    [view] = sender.views
    assert view.kind == NotificationKind.WEEKLY_SUMMARY
    assert view.image_png is not None and view.image_png.startswith(b"\x89PNG")


async def test_coach_digest_lists_only_athletes_needing_attention(db, clock):
    clock.set(datetime(2026, 3, 12, 6, 0, tzinfo=UTC))  # 07:00 Paris
    async with db.unit_of_work() as s:
        coach = await person(s, "Coach", tz=PARIS)
        coach.role = "coach"
        hurt = await person(s, "Hurt", tz=PARIS)
        fine = await person(s, "Fine", tz=PARIS)
        await coached(s, clock, coach, hurt)
        await coached(s, clock, coach, fine)
        s.add(
            Workout(
                athlete_id=hurt.id,
                sport="run",
                title="Long run",
                key_workout=True,
                scheduled_date=date(2026, 3, 11),
            )
        )
        s.add(
            Activity(
                user_id=hurt.id,
                source="manual",
                source_id="h",
                sport="run",
                pain=True,
                pain_note="left knee",
                start_utc=datetime(2026, 3, 10, 7, tzinfo=UTC),
                local_date=date(2026, 3, 10),
                elapsed_s=1800,
                moving_s=1800,
            )
        )
        s.add(
            Activity(
                user_id=fine.id,
                source="manual",
                source_id="f",
                sport="run",
                start_utc=datetime(2026, 3, 11, 7, tzinfo=UTC),
                local_date=date(2026, 3, 11),
                elapsed_s=1800,
                moving_s=1800,
            )
        )
        coach_id, hurt_id = coach.id, hurt.id
    async with db.unit_of_work() as s:
        result = await schedules.fan_out(s, clock)
        digest = await s.scalar(
            select(Notification).where(Notification.kind == NotificationKind.COACH_DIGEST)
        )
    assert result.coach_digests == [coach_id]
    [entry] = digest.payload["athletes"]
    assert entry["athlete_id"] == hurt_id
    reasons = {r["reason"] for r in entry["reasons"]}
    assert reasons == {"missed_key_workout", "pain", "low_compliance"}


async def test_a_pain_checked_in_on_a_matched_session_is_reported_once(db, clock):
    # A check-in writes the pain on the activity and on the workout it matched: one session.
    today = date(2026, 3, 12)
    async with db.unit_of_work() as s:
        ben = await person(s, "Ben", tz=PARIS)
        run = Activity(
            user_id=ben.id,
            source="manual",
            source_id="r",
            sport="run",
            pain=True,
            pain_note="Left knee sore on the downhill part.",
            start_utc=datetime(2026, 3, 11, 7, tzinfo=UTC),
            local_date=date(2026, 3, 11),
            elapsed_s=1800,
            moving_s=1800,
        )
        s.add(run)
        await s.flush()
        for day, matched in ((date(2026, 3, 11), run.id), (date(2026, 3, 9), None)):
            s.add(
                Workout(
                    athlete_id=ben.id,
                    sport="run",
                    title="Tempo",
                    scheduled_date=day,
                    status="completed",
                    pain=True,
                    pain_note="Left knee sore on the downhill part.",
                    matched_activity_id=matched,
                )
            )
        await s.flush()
        reasons = await schedules.attention_reasons(
            s, ben, today, datetime(2026, 3, 12, 6, tzinfo=UTC)
        )
    [pain] = [r for r in reasons if r["reason"] == "pain"]
    # Monday's workout (no activity) is another session with the same knee: it stays.
    assert pain["notes"] == ["Left knee sore on the downhill part."] * 2

    spec = ScheduleSpec(7, ReminderSlot.MORNING, "0 7 * * *", PARIS)
    moved = ScheduleSpec(7, ReminderSlot.MORNING, "30 6 * * *", "Asia/Tokyo")
    assert spec.schedule_id == moved.schedule_id == "reminder:7:morning"
