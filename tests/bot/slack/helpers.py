"""Test data for the Slack tests: the coach behind the Slack user, athletes, sessions."""

from __future__ import annotations

from datetime import timedelta

from bot.slack.people import coach_for
from core.activities import entries as activities
from core.clock import Clock
from core.coaching import relationships as coaching
from core.db.engine import Database
from core.db.models import User
from core.planning import workouts as planning
from tests.bot.slack.conftest import COACH, TEAM
from tests.factories import person


async def coach_id(db: Database) -> int:
    async with db.unit_of_work() as session:
        return (await coach_for(session, TEAM, COACH, "Kim Coach")).id


async def athlete_of(
    db: Database, clock: Clock, name: str = "Alex Martin", **permissions: bool
) -> int:
    async with db.unit_of_work() as session:
        coach = await session.get_one(User, await coach_id_in(session))
        athlete = await person(session, name)
        invitation = await coaching.create_invitation(
            session, clock, coach.id, permissions=permissions
        )
        await coaching.accept_invitation(session, clock, athlete.id, invitation.code)
        return athlete.id


async def coach_id_in(session) -> int:
    return (await coach_for(session, TEAM, COACH, "Kim Coach")).id


async def session_done(
    db: Database, clock: Clock, athlete_id: int, minutes: int = 45, name: str = "Easy run"
) -> int:
    async with db.unit_of_work() as session:
        activity = await activities.create_manual_activity(
            session,
            clock,
            athlete_id,
            athlete_id,
            sport="run",
            start=clock.now() - timedelta(hours=2),
            duration_s=minutes * 60,
            distance_m=9000,
            rpe=6,
            name=name,
        )
        return activity.id


async def planned(
    db: Database, clock: Clock, athlete_id: int, days_ahead: int = 1, *, key: bool = False
) -> int:
    async with db.unit_of_work() as session:
        today = await planning.local_today(session, clock, athlete_id)
        workout = await planning.create_workout(
            session,
            clock,
            athlete_id,
            athlete_id,
            today + timedelta(days=days_ahead),
            planning.WorkoutSpec(
                sport="run",
                title="Intervals",
                structure=[
                    {"kind": "warmup", "duration_s": 900},
                    {
                        "repeat": 4,
                        "steps": [
                            {"kind": "interval", "duration_s": 300},
                            {"kind": "recovery", "duration_s": 180},
                        ],
                    },
                ],
                key_workout=key,
            ),
        )
        return workout.id
