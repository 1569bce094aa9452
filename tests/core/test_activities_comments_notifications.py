from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from core.activities import entries as activities
from core.coaching import comments
from core.db.models import Activity, Comment, Notification
from core.enums import DeliveryMode
from core.errors import InvalidInput, PermissionDenied
from core.load import threshold_history as thresholds
from core.outbox import notifications
from core.outbox.payloads import CoachCommentPayload, NewPlanPayload, ReminderPayload
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.factories import coached, person


async def test_a_manual_activity_gets_an_rpe_load_and_lands_on_the_local_day(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana", tz="America/Los_Angeles")
        # 05:30 UTC on the 10th is 22:30 on the 9th in Los Angeles.
        start = datetime(2026, 3, 10, 5, 30, tzinfo=UTC)
        a = await activities.create_manual_activity(
            s,
            clock,
            athlete.id,
            athlete.id,
            sport="run",
            start=start,
            duration_s=3120,
            distance_m=10000,
            rpe=6,
        )
        assert a.local_date == date(2026, 3, 9) and a.load_source == "rpe"
        assert a.load is not None and a.load > 0
        again = await activities.create_manual_activity(
            s,
            clock,
            athlete.id,
            athlete.id,
            sport="run",
            start=start,
            duration_s=3120,
            distance_m=10000,
            rpe=6,
        )
        assert again.id == a.id
        assert [
            x.id
            for x in await activities.activities_on_day(s, athlete.id, athlete.id, date(2026, 3, 9))
        ] == [a.id]
        assert (
            await activities.activities_on_day(s, athlete.id, athlete.id, date(2026, 3, 10)) == []
        )
        week = await activities.activities_in_week(s, athlete.id, athlete.id, date(2026, 3, 15))
        assert [x.id for x in week] == [a.id]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sport": "quidditch"},
        {"duration_s": 10},
        {"rpe": 0},
        {"distance_m": -5},
    ],
)
async def test_bad_manual_entries_are_refused(db, clock, kwargs):
    args = {
        "sport": "run",
        "start": datetime(2026, 3, 9, 7, tzinfo=UTC),
        "duration_s": 1800,
        "rpe": 5,
    } | kwargs
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        with pytest.raises(InvalidInput):
            await activities.create_manual_activity(s, clock, athlete.id, athlete.id, **args)
        assert await s.scalar(select(func.count()).select_from(Activity)) == 0


async def test_comments_go_both_ways_through_the_outbox(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        w = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 11),
            WorkoutSpec(sport="run", title="Tempo"),
        )
        await comments.add_comment(s, clock, coach.id, "Keep it controlled", workout_id=w.id)
        await comments.add_comment(s, clock, athlete.id, "Will do!", workout_id=w.id)
        listed = await comments.list_comments(s, coach.id, workout_id=w.id)
        assert [c.body for c in listed] == ["Keep it controlled", "Will do!"]
        to_athlete = await s.scalar(
            select(Notification).where(Notification.kind == "coach_comment")
        )
        to_coach = await s.scalar(
            select(Notification).where(Notification.kind == "athlete_comment")
        )
        assert (
            to_athlete.recipient_id == athlete.id
            and to_athlete.payload["body"] == "Keep it controlled"
        )
        assert to_coach.recipient_id == coach.id


async def test_a_stranger_or_a_muted_coach_cannot_comment(db, clock):
    async with db.unit_of_work() as s:
        coach, stranger, athlete = (
            await person(s, "Coach"),
            await person(s, "X"),
            await person(s, "Ana"),
        )
        await coached(s, clock, coach, athlete, comment=False)
        w = await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            date(2026, 3, 11),
            WorkoutSpec(sport="run", title="Easy"),
        )
        ids = coach.id, stranger.id, w.id
    for actor in ids[:2]:
        with pytest.raises(PermissionDenied):
            async with db.unit_of_work() as s:
                await comments.add_comment(s, clock, actor, "hi", workout_id=ids[2])
    async with db.unit_of_work() as s:
        assert await s.scalar(select(func.count()).select_from(Comment)) == 0
        with pytest.raises(PermissionDenied):
            await comments.list_comments(s, ids[1], workout_id=ids[2])
        with pytest.raises(InvalidInput):
            await comments.add_comment(s, clock, athlete.id, "   ", workout_id=ids[2])


async def test_preferences_decide_instant_digest_or_nothing_and_keys_are_idempotent(db, clock):
    async with db.unit_of_work() as s:
        ana = await person(s, "Ana")
        await notifications.set_preference(s, ana.id, "coach_comment", DeliveryMode.DIGEST)
        await notifications.set_preference(s, ana.id, "reminder", "off")
        a = await notifications.notify(
            s, clock, recipient_id=ana.id, payload=CoachCommentPayload(), key="k1"
        )
        b = await notifications.notify(
            s, clock, recipient_id=ana.id, payload=ReminderPayload(), key="k2"
        )
        c = await notifications.notify(
            s, clock, recipient_id=ana.id, payload=NewPlanPayload(), key="k3"
        )
        c2 = await notifications.notify(
            s, clock, recipient_id=ana.id, payload=NewPlanPayload(), key="k3"
        )
        assert a is not None and c is not None and c2 is not None, "k1 and k3 are not turned off"
        assert (a.status, b, c.status, c2.id) == ("digest", None, "pending", c.id)
        with pytest.raises(InvalidInput):
            await notifications.set_preference(s, ana.id, "coach_comment", "sometimes")


async def test_threshold_history_gives_the_values_valid_on_a_date(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        await thresholds.set_thresholds(
            s, athlete.id, athlete.id, date(2026, 1, 1), ftp_w=250, lthr_bpm=165
        )
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 3, 1), ftp_w=265)
        assert (await thresholds.thresholds_on(s, athlete.id, date(2026, 2, 1))).ftp_w == 250
        march = await thresholds.thresholds_on(s, athlete.id, date(2026, 3, 5))
        assert (march.ftp_w, march.lthr_bpm) == (265, 165)
        assert (await thresholds.thresholds_on(s, athlete.id, date(2025, 1, 1))).ftp_w is None
        with pytest.raises(PermissionDenied):
            await thresholds.set_thresholds(s, coach.id, athlete.id, date(2026, 3, 2), ftp_w=300)
        with pytest.raises(InvalidInput):
            await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 3, 2), ftp_w=2500)
