"""Daily training load and the performance-management values (fitness, fatigue, form).

One `DailyLoad` row per athlete per local day, contiguous from the athlete's first day
with an activity through their local "today". A new, changed or deleted activity
recomputes from its own day only, seeded from the stored values of the day before, so a
years-long history is not replayed for every upload; the result equals a full recompute
because the recurrence only ever looks at yesterday's values (and, for ramp and Foster's
monotony, the previous week, which is read back from the stored rows).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching.relationships import require_permission
from core.db.models import Activity, DailyLoad, User, Workout
from core.enums import Permission, WorkoutStatus
from core.errors import InvalidInput
from core.metrics import forecast, pmc
from core.metrics.pmc import FOSTER_WINDOW_DAYS, RAMP_DAYS
from core.timeutil import local_date

# /race asks about a date; two years ahead is as far as a plan reasonably reaches.
MAX_FORECAST_DAYS = 730


def kept_activity_filter(athlete_id: int) -> tuple[ColumnElement[bool], ...]:
    """Activities that count: the athlete's, not deleted, not a duplicate copy."""
    return (
        Activity.user_id == athlete_id,
        Activity.deleted_at.is_(None),
        Activity.primary_activity_id.is_(None),
    )


async def athlete_today(session: AsyncSession, clock: Clock, athlete_id: int) -> date:
    user = await session.get_one(User, athlete_id)
    return local_date(clock.now(), user.timezone)


async def _daily_loads(
    session: AsyncSession, athlete_id: int, first: date, last: date
) -> dict[date, float]:
    rows = await session.execute(
        select(Activity.local_date, func.sum(Activity.load))
        .where(*kept_activity_filter(athlete_id), Activity.local_date.between(first, last))
        .group_by(Activity.local_date)
    )
    return {day: float(total or 0.0) for day, total in rows}


async def _rows_between(
    session: AsyncSession, athlete_id: int, first: date, last: date
) -> dict[date, DailyLoad]:
    rows = await session.scalars(
        select(DailyLoad).where(DailyLoad.user_id == athlete_id, DailyLoad.day.between(first, last))
    )
    return {row.day: row for row in rows}


async def recompute_from(
    session: AsyncSession, athlete_id: int, day: date, *, through: date
) -> int:
    """Recompute the athlete's rows from `day` through `through`; returns the days written.

    When no row exists for the day before `day`, the recompute starts earlier: right after
    the last stored row, or at the athlete's first activity, so the series stays contiguous.
    """
    start = day
    previous = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == athlete_id, DailyLoad.day < day)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    if previous is None:
        first_activity = await session.scalar(
            select(func.min(Activity.local_date)).where(*kept_activity_filter(athlete_id))
        )
        if first_activity is not None:
            start = min(start, first_activity)
        ctl0 = atl0 = 0.0
    else:
        start = min(start, previous.day + timedelta(days=1))
        ctl0, atl0 = previous.fitness, previous.fatigue
    if start > through:
        return 0
    # The week before `start`, as stored. Rows are contiguous from the athlete's first day,
    # so fewer than seven rows means the history begins inside that week: before it the
    # load was zero and fitness was the zero seed, exactly what a full recompute assumes.
    history = await _rows_between(
        session, athlete_id, start - timedelta(days=RAMP_DAYS), start - timedelta(days=1)
    )
    known = [history[d] for d in sorted(history)]
    prior_load = np.array([r.load for r in known[-(FOSTER_WINDOW_DAYS - 1) :]]) if known else None
    prior_ctl = np.concatenate(
        [np.zeros(RAMP_DAYS - len(known)), np.array([r.fitness for r in known])]
    )
    n_days = (through - start).days + 1
    days = [start + timedelta(days=k) for k in range(n_days)]
    by_day = await _daily_loads(session, athlete_id, start, through)
    loads = np.array([by_day.get(d, 0.0) for d in days])
    series = pmc(
        loads,
        ctl0,
        atl0,
        prior_load=prior_load,
        prior_ctl=prior_ctl,
    )
    rows: list[dict[str, object]] = [
        {
            "user_id": athlete_id,
            "day": d,
            "load": float(series.load[k]),
            "fitness": float(series.ctl[k]),
            "fatigue": float(series.atl[k]),
            "form": float(series.tsb[k]),
            "ramp": _finite(series.ramp[k]),
            "monotony": _finite(series.monotony[k]),
            "strain": _finite(series.strain[k]),
        }
        for k, d in enumerate(days)
    ]
    await _upsert_daily_loads(session, athlete_id, rows)
    return n_days


# Rows per upsert statement: 9 bound values each stays below SQLite's variable limit.
_UPSERT_CHUNK = 500
_UPSERT: dict[str, Callable[[type[DailyLoad]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def _upsert_daily_loads(
    session: AsyncSession, athlete_id: int, rows: list[dict[str, object]]
) -> None:
    """INSERT ... ON CONFLICT (user_id, day) DO UPDATE, as the transaction's last writes.

    Two jobs recomputing the same athlete at once (two activities of one burst) both
    write their days: a read-then-insert would let both insert the same day and one
    fail on uq_daily_loads_user_id_day; the upsert makes the second one an update, and
    its row locks are taken only here, at the end, so they are held until the commit
    and no longer.
    """
    await session.flush()
    insert = _UPSERT[session.get_bind().dialect.name]
    for first in range(0, len(rows), _UPSERT_CHUNK):
        statement = insert(DailyLoad).values(rows[first : first + _UPSERT_CHUNK])
        columns = {c: statement.excluded[c] for c in rows[0] if c not in ("user_id", "day")}
        await session.execute(
            statement.on_conflict_do_update(index_elements=["user_id", "day"], set_=columns),
            execution_options={"synchronize_session": False},
        )
    # Rows of this athlete already loaded in the session would show the old values.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, DailyLoad) and obj.user_id == athlete_id:
            session.expire(obj)


async def recompute_through_today(
    session: AsyncSession, clock: Clock, athlete_id: int, day: date
) -> int:
    """`recompute_from` through the athlete's local today (or `day` if that is later)."""
    today = await athlete_today(session, clock, athlete_id)
    return await recompute_from(session, athlete_id, day, through=max(today, day))


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass
class LoadSeries:
    """Per-day values for charts and bots; None where a value is undefined (e.g. monotony)."""

    days: list[date]
    load: list[float]
    fitness: list[float]
    fatigue: list[float]
    form: list[float]
    ramp: list[float | None]
    monotony: list[float | None]
    strain: list[float | None]

    def add_day(
        self,
        day: date,
        totals: tuple[float, float, float, float],
        ratios: tuple[float | None, float | None, float | None],
    ) -> None:
        """One more day: (load, fitness, fatigue, form) and (ramp, monotony, strain)."""
        self.days.append(day)
        for column, total in zip(
            (self.load, self.fitness, self.fatigue, self.form), totals, strict=True
        ):
            column.append(total)
        for optional, ratio in zip((self.ramp, self.monotony, self.strain), ratios, strict=True):
            optional.append(ratio)


async def load_series(
    session: AsyncSession, actor_id: int, athlete_id: int, first: date, last: date
) -> LoadSeries:
    """Stored daily values from `first` to `last` inclusive.

    Days before the athlete's history are zero; days after the last stored day are rest
    days decaying from it (what the chart would show if nothing more were done).
    """
    await require_permission(session, actor_id, athlete_id, Permission.VIEW_ACTIVITIES)
    if last < first:
        raise InvalidInput("refuse_end_period_comes_before_its_start")
    if (last - first).days > 10 * 366:
        raise InvalidInput("refuse_ask_most_ten_years_time")
    rows = await _rows_between(session, athlete_id, first, last)
    out = LoadSeries([], [], [], [], [], [], [], [])
    latest = max(rows) if rows else None
    if latest is None:
        latest_row = await session.scalar(
            select(DailyLoad)
            .where(DailyLoad.user_id == athlete_id, DailyLoad.day < first)
            .order_by(DailyLoad.day.desc())
            .limit(1)
        )
    else:
        latest_row = rows[latest]
    tail_from = (latest_row.day if latest_row else last) + timedelta(days=1)
    tail = None
    if latest_row is not None and tail_from <= last:
        tail = forecast(
            latest_row.fitness, latest_row.fatigue, np.zeros((last - tail_from).days + 1)
        )
    day = first
    while day <= last:
        row = rows.get(day)
        if row is not None:
            totals = (row.load, row.fitness, row.fatigue, row.form)
            out.add_day(day, totals, (row.ramp, row.monotony, row.strain))
        elif tail is not None and day >= tail_from:
            k = (day - tail_from).days
            totals = (0.0, float(tail.ctl[k]), float(tail.atl[k]), float(tail.tsb[k]))
            out.add_day(day, totals, (None, None, None))
        else:
            out.add_day(day, (0.0, 0.0, 0.0, 0.0), (None, None, None))
        day += timedelta(days=1)
    return out


@dataclass
class LoadForecast:
    """Projected values on each day from `days[0]` to the target date (the last entry)."""

    days: list[date]
    planned_load: list[float]
    fitness: list[float]
    fatigue: list[float]
    form: list[float]

    @property
    def on_target(self) -> tuple[float, float, float]:
        """(fitness, fatigue, form) on the target date."""
        return self.fitness[-1], self.fatigue[-1], self.form[-1]


async def forecast_to(
    session: AsyncSession, clock: Clock, actor_id: int, athlete_id: int, target_date: date
) -> LoadForecast:
    """Fitness/fatigue/form from today to `target_date` if the plan is followed.

    Seeded from yesterday's stored values; today counts what was already done plus the
    planned workouts not yet done, later days their planned load (days with no plan rest).
    """
    await require_permission(session, actor_id, athlete_id, Permission.VIEW_ACTIVITIES)
    today = await athlete_today(session, clock, athlete_id)
    if target_date < today:
        raise InvalidInput("refuse_date_has_passed_pick_day_today")
    if (target_date - today).days > MAX_FORECAST_DAYS:
        raise InvalidInput("refuse_i_can_look_most_two_years_ahead")
    base = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == athlete_id, DailyLoad.day < today)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    start = base.day + timedelta(days=1) if base is not None else today
    days = [start + timedelta(days=k) for k in range((target_date - start).days + 1)]
    done = await _daily_loads(session, athlete_id, start, today)
    planned_rows = await session.execute(
        select(Workout.scheduled_date, func.sum(Workout.planned_load))
        .where(
            Workout.athlete_id == athlete_id,
            Workout.scheduled_date.between(today, target_date),
            Workout.status == WorkoutStatus.PLANNED,
            Workout.matched_activity_id.is_(None),
        )
        .group_by(Workout.scheduled_date)
    )
    planned = {d: float(total or 0.0) for d, total in planned_rows}
    loads = np.array([done.get(d, 0.0) + planned.get(d, 0.0) for d in days])
    series = forecast(base.fitness if base else 0.0, base.fatigue if base else 0.0, loads)
    k0 = (today - start).days
    return LoadForecast(
        days=days[k0:],
        planned_load=[float(x) for x in loads[k0:]],
        fitness=[float(x) for x in series.ctl[k0:]],
        fatigue=[float(x) for x in series.atl[k0:]],
        form=[float(x) for x in series.tsb[k0:]],
    )
