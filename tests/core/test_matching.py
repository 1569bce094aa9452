"""Planned workouts completed by recorded sessions, with TrainingPeaks' compliance colours."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.ingest.edits import update_activity_fields
from core.activities.ingest.recording import record_activity
from core.activities.parsed import Sport
from core.clock import Clock
from core.db.models import User, Workout
from core.enums import ActivitySource
from core.errors import PermissionDenied
from core.load import threshold_history as thresholds
from core.planning import matching
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.core.test_ingest import ride
from tests.factories import coached, person

DAY = date(2026, 3, 9)


async def plan(
    s: AsyncSession,
    clock: Clock,
    athlete: User,
    title: str = "Ride",
    sport: str = "ride",
    **spec: Any,
) -> Workout:
    return await planning.create_workout(
        s, clock, athlete.id, athlete.id, DAY, WorkoutSpec(sport=sport, title=title, **spec)
    )


@pytest.mark.parametrize(
    ("ratio", "color"),
    [(1.0, "green"), (0.65, "yellow"), (1.4, "yellow"), (0.4, "red")],
)
async def test_a_planned_ride_is_coloured_by_how_much_of_its_load_was_done(db, clock, ratio, color):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 1, 1), ftp_w=250)
        workout = await plan(s, clock, athlete, planned_duration_s=3600, planned_load=100)
        # One hour at power P scores 100 × (P / FTP)²: pick P for the wanted share of load.
        result = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 7, tzinfo=UTC), watts=250 * math.sqrt(ratio)),
            source=ActivitySource.STRAVA,
            source_id="1",
        )
        assert result.workout is workout
        assert workout.status == "completed" and workout.matched_activity_id == result.kept.id
        assert workout.compliance_pct == pytest.approx(100 * ratio, abs=0.5)
        assert workout.compliance_color == color


@pytest.mark.parametrize(
    ("pct", "color"),
    [
        (79.4, "yellow"),
        (79.6, "green"),
        (120.4, "green"),
        (121, "yellow"),
        (49.4, "red"),
        (50, "yellow"),
        (150, "yellow"),
        (151, "red"),
    ],
)
def test_band_edges_follow_trainingpeaks_on_whole_percentages(pct, color):
    assert matching.compliance_color(pct) == color


async def test_without_loads_compliance_compares_durations(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")  # no thresholds: the ride has no load
        workout = await plan(s, clock, athlete, planned_duration_s=3600)
        await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 7, tzinfo=UTC), 2700),
            source=ActivitySource.STRAVA,
            source_id="1",
        )
        assert workout.compliance_pct == 75.0 and workout.compliance_color == "yellow"


async def test_two_rides_in_a_day_match_the_workouts_of_closest_duration(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        long = await plan(s, clock, athlete, "Long", planned_duration_s=3 * 3600)
        short = await plan(s, clock, athlete, "Spin", planned_duration_s=1800)
        run = await plan(s, clock, athlete, "Run", sport="run", planned_duration_s=1900)
        first = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 6, tzinfo=UTC), 2000),
            source=ActivitySource.STRAVA,
            source_id="a",
        )
        second = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 12, tzinfo=UTC), 10000),
            source=ActivitySource.STRAVA,
            source_id="b",
        )
        assert first.workout is short and second.workout is long
        assert run.status == "planned"
        # A virtual ride is still a ride; a third ride finds nothing left to complete.
        third = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 17, tzinfo=UTC), 1800, sport=Sport.VIRTUAL_RIDE),
            source=ActivitySource.STRAVA,
            source_id="c",
        )
        assert third.workout is None


async def test_an_activity_on_another_day_does_not_complete_the_workout(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        workout = await plan(s, clock, athlete, planned_duration_s=3600)
        await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 8, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="1",
        )
        assert workout.status == "planned"


async def test_a_manual_match_is_kept_when_other_sessions_arrive(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        intervals = await plan(s, clock, athlete, "Intervals", planned_duration_s=3600)
        easy = await plan(s, clock, athlete, "Easy", planned_duration_s=5400)
        commute = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 6, tzinfo=UTC), 3500),
            source=ActivitySource.STRAVA,
            source_id="commute",
        )
        assert commute.workout is intervals
        # The coach says the morning ride was the easy one.
        await matching.manual_match(s, coach.id, easy.id, commute.kept.id)
        assert easy.match_is_manual and easy.matched_activity_id == commute.kept.id
        assert intervals.status == "planned" and intervals.matched_activity_id is None
        evening = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 17, tzinfo=UTC), 5400),
            source=ActivitySource.STRAVA,
            source_id="evening",
        )
        assert evening.workout is intervals
        assert easy.matched_activity_id == commute.kept.id and easy.match_is_manual
        # A provider update of the commute does not undo the coach's choice.
        await update_activity_fields(
            s, clock, athlete.id, ActivitySource.STRAVA, "commute", name="Commute"
        )
        assert easy.matched_activity_id == commute.kept.id


async def test_a_coach_without_planning_rights_cannot_match(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete, plan_workouts=False)
        workout = await plan(s, clock, athlete, planned_duration_s=3600)
        result = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 8, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="1",
        )
        with pytest.raises(PermissionDenied):
            await matching.manual_match(s, coach.id, workout.id, result.kept.id)
