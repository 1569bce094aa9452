"""A small, realistic training fortnight for the calendar tests, built with core services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from core.activities import entries as activities
from core.calendar import links as calendar_service
from core.clock import FixedClock
from core.db.engine import Database
from core.db.models import DailyLoad, User, Workout
from core.planning import workouts as planning
from tests.factories import coached, person

SECRET = "s" * 64  # the secret key of the tests' settings (conftest.make_settings)

INTERVALS = [
    {"kind": "warmup", "duration_s": 900},
    {
        "repeat": 4,
        "steps": [
            {
                "kind": "interval",
                "duration_s": 300,
                "target": {"type": "power", "low": 105, "high": 110},
            },
            {"kind": "recovery", "duration_s": 180},
        ],
    },
    {"kind": "cooldown", "duration_s": 600},
]


@dataclass
class Seeded:
    athlete: User
    coach: User
    intervals: Workout
    long_ride: Workout
    missed: Workout
    athlete_token: str
    coach_token: str


async def seed(db: Database, clock: FixedClock) -> Seeded:
    """Ann (Paris) is coached by Cody; 'today' is Tuesday 10 March 2026."""
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ann")
        coach = await person(s, "Cody")
        await coached(s, clock, coach, athlete)
        intervals = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 9),
            planning.WorkoutSpec(sport="ride", title="4x5 threshold", structure=INTERVALS),
        )
        missed = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 5),
            planning.WorkoutSpec(sport="run", title="Easy run", planned_duration_s=2700),
        )
        long_ride = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 14),
            planning.WorkoutSpec(
                sport="ride",
                title="Long endurance ride",
                planned_duration_s=3 * 3600,
                description="Keep it conversational; eat every 30 minutes.",
                key_workout=True,
            ),
        )
        await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 4, 7),
            planning.WorkoutSpec(sport="swim", title="Technique swim", planned_duration_s=2400),
        )
        await activities.create_manual_activity(
            s,
            clock,
            athlete.id,
            athlete.id,
            sport="ride",
            start=datetime(2026, 3, 9, 17, 0, tzinfo=UTC),
            duration_s=3900,
            distance_m=32_400,
            rpe=7,
            name="Evening intervals",
        )
        # Recording the ride matched it to the intervals: the figures the tests read.
        intervals.status = "completed"
        intervals.compliance_pct = 94.0
        intervals.compliance_color = "green"
        # Recording the ride above already wrote its day's row: set the figures on it.
        await s.flush()
        kept = {
            row.day: row
            for row in await s.scalars(select(DailyLoad).where(DailyLoad.user_id == athlete.id))
        }
        for offset in range(9):
            day = date(2026, 3, 2) + timedelta(days=offset)
            row = kept.get(day) or DailyLoad(user_id=athlete.id, day=day)
            row.load, row.fitness = 40.0 + offset, 50.0 + offset
            row.fatigue, row.form = 55.0 + 2 * offset, -5.0 - offset
            s.add(row)
        athlete_token = await calendar_service.issue_token(s, clock, athlete.id, secret=SECRET)
        coach_token = await calendar_service.issue_token(s, clock, coach.id, secret=SECRET)
    return Seeded(athlete, coach, intervals, long_ride, missed, athlete_token, coach_token)
