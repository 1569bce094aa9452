"""What /race can honestly say about a day ahead, and on what it rests.

`core.load.daily.forecast_to` projects Fitness/Fatigue/Form to a day: the load done,
then the planned workouts, then rest. This rule decides what that projection may be
used for:

- With no recorded load and nothing planned there is nothing to project: no numbers,
  no advice.
- The basis is said: the training so far, the plan until its last planned day before the
  target, then rest.
- Advice about form ("fresh: a good moment for a race") is given only when the plan
  reaches within `PLAN_GAP_DAYS` of the day; beyond it Form rises only because the
  projection rests, which says nothing about the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import DailyLoad, Workout
from core.enums import WorkoutStatus
from core.load import daily as training_load

PLAN_GAP_DAYS = 7


@dataclass(frozen=True)
class RaceOutlook:
    day: date
    has_history: bool  # any training load recorded before today
    plan_until: date | None  # the last planned workout from today to `day`
    fitness: float = 0.0
    fatigue: float = 0.0
    form: float = 0.0

    @property
    def has_basis(self) -> bool:
        return self.has_history or self.plan_until is not None

    @property
    def may_advise(self) -> bool:
        return self.plan_until is not None and (self.day - self.plan_until).days <= PLAN_GAP_DAYS


async def outlook(
    session: AsyncSession, clock: Clock, actor_id: int, athlete_id: int, day: date
) -> RaceOutlook:
    """The projection to `day` and what it rests on (permission and date checks are
    `forecast_to`'s)."""
    projection = await training_load.forecast_to(session, clock, actor_id, athlete_id, day)
    today = projection.days[0]
    has_history = bool(
        await session.scalar(
            select(
                exists().where(
                    DailyLoad.user_id == athlete_id, DailyLoad.day <= today, DailyLoad.load > 0
                )
            )
        )
    )
    plan_until = await session.scalar(
        select(func.max(Workout.scheduled_date)).where(
            Workout.athlete_id == athlete_id,
            Workout.scheduled_date.between(today, day),
            Workout.status == WorkoutStatus.PLANNED,
        )
    )
    fitness, fatigue, form = projection.on_target
    return RaceOutlook(day, has_history, plan_until, fitness, fatigue, form)
