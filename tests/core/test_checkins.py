"""Check-in on a workout done without a recorded session: answers on the workout, coach told."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.coaching import relationships as coaching
from core.db.models import Notification, Workout
from core.enums import NotificationKind, Permission, WorkoutStatus
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.planning import checkins
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.factories import coached, person


async def _workout(s, clock, athlete) -> Workout:
    return await planning.create_workout(
        s,
        clock,
        athlete.id,
        athlete.id,
        date(2026, 3, 10),
        WorkoutSpec(sport="run", title="Hill repeats", planned_duration_s=3600),
    )


async def _coach_check_ins(s, coach_id: int) -> list[Notification]:
    return list(
        await s.scalars(
            select(Notification)
            .where(
                Notification.recipient_id == coach_id,
                Notification.kind == NotificationKind.CHECK_IN,
            )
            .order_by(Notification.id)
        )
    )


async def test_answers_land_on_the_workout_and_the_coach_is_told_once(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        workout = await _workout(s, clock, athlete)
        kept = await checkins.record_workout_check_in(
            s, clock, athlete.id, workout.id, rpe=8, feel=2, pain=True, pain_note="left calf"
        )
        assert (kept.rpe, kept.feel, kept.pain, kept.pain_note) == (8, 2, True, "left calf")
        assert kept.status == WorkoutStatus.COMPLETED and kept.completed_at == clock.now()
        # The same answers again (a double tap, a redelivered button) notify once.
        await checkins.record_workout_check_in(
            s, clock, athlete.id, workout.id, rpe=8, feel=2, pain=True, pain_note="left calf"
        )
        rows = await _coach_check_ins(s, coach.id)
        assert len(rows) == 1
        payload = rows[0].payload
        assert payload["workout_id"] == workout.id and payload["activity_id"] is None
        assert (payload["rpe"], payload["feel"], payload["pain_note"]) == (8, 2, "left calf")
        assert payload["athlete_id"] == athlete.id
        # A corrected answer is news for the coach.
        await checkins.record_workout_check_in(s, clock, athlete.id, workout.id, pain=False)
        assert len(await _coach_check_ins(s, coach.id)) == 2
        assert (await s.get(Workout, workout.id)).pain is False


async def test_no_coach_or_no_wellness_permission_means_no_notification(db, clock):
    async with db.unit_of_work() as s:
        solo = await person(s, "Solo")
        workout = await _workout(s, clock, solo)
        await checkins.record_workout_check_in(s, clock, solo.id, workout.id, feel=4)
        assert (await s.get(Workout, workout.id)).feel == 4
        assert await s.scalar(select(Notification).where(Notification.kind == "check_in")) is None

        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        relationship = await coached(s, clock, coach, athlete)
        await coaching.set_permissions(
            s, athlete.id, relationship.id, {Permission.VIEW_WELLNESS: False}
        )
        other = await _workout(s, clock, athlete)
        await checkins.record_workout_check_in(s, clock, athlete.id, other.id, rpe=5)
        assert await _coach_check_ins(s, coach.id) == []


async def test_bad_answers_and_other_people_are_refused(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        workout = await _workout(s, clock, athlete)
        for bad in ({"rpe": 0}, {"rpe": 11}, {"feel": 6}, {"rpe": True}, {}):
            with pytest.raises(InvalidInput):
                await checkins.record_workout_check_in(s, clock, athlete.id, workout.id, **bad)
        with pytest.raises(InvalidInput, match="2000"):
            await checkins.record_workout_check_in(
                s, clock, athlete.id, workout.id, pain=True, pain_note="x" * 2001
            )
        with pytest.raises(PermissionDenied):
            await checkins.record_workout_check_in(s, clock, coach.id, workout.id, rpe=5)
        with pytest.raises(NotFound):
            await checkins.record_workout_check_in(s, clock, athlete.id, 999_999, rpe=5)
        await planning.skip_workout(s, clock, athlete.id, workout.id)
        with pytest.raises(InvalidInput, match="skipped"):
            await checkins.record_workout_check_in(s, clock, athlete.id, workout.id, rpe=5)
        assert (await s.get(Workout, workout.id)).rpe is None
