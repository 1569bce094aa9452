"""What a coach sees of one athlete: the numbers behind the roster, App Home and `athlete`.

Gathered from core queries, every one behind `require_permission`; formatting is left to
the Block Kit builders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import activities, planning
from core.clock import Clock
from core.coaching import require_permission
from core.db.models import Activity, DailyLoad, User, Workout
from core.enums import Permission, WorkoutStatus
from core.schedules import attention_reasons
from core.timeutil import local_date, week_start


@dataclass
class AthleteSnapshot:
    athlete: User
    today: date
    last_sync: datetime | None
    week_planned: int
    week_done: int
    week_load: float
    week_planned_load: float
    fitness: float | None
    fatigue: float | None
    form: float | None
    flags: list[dict[str, Any]] = field(default_factory=list)
    recent: list[Activity] = field(default_factory=list)
    upcoming: list[Workout] = field(default_factory=list)

    @property
    def compliance_pct(self) -> int | None:
        return round(100 * self.week_done / self.week_planned) if self.week_planned else None


async def snapshot(
    session: AsyncSession, clock: Clock, coach_id: int, athlete: User, *, detail: bool = False
) -> AthleteSnapshot:
    await require_permission(session, coach_id, athlete.id, Permission.VIEW_ACTIVITIES)
    now = clock.now()
    today = local_date(now, athlete.timezone)
    monday = week_start(today)
    week = await planning.workouts_between(
        session, coach_id, athlete.id, monday, monday + timedelta(days=6)
    )
    done = await activities.activities_between(session, coach_id, athlete.id, monday, today)
    last_sync = await session.scalar(
        select(func.max(Activity.created_at)).where(
            Activity.user_id == athlete.id, Activity.deleted_at.is_(None)
        )
    )
    load = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == athlete.id, DailyLoad.day <= today)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    due = [w for w in week if w.scheduled_date <= today]
    snap = AthleteSnapshot(
        athlete=athlete,
        today=today,
        last_sync=last_sync,
        week_planned=len(due),
        week_done=sum(1 for w in due if w.status == WorkoutStatus.COMPLETED),
        week_load=sum(a.load or 0.0 for a in done),
        week_planned_load=sum(w.planned_load or 0.0 for w in week),
        fitness=load.fitness if load else None,
        fatigue=load.fatigue if load else None,
        form=load.form if load else None,
        flags=await attention_reasons(session, athlete, today, now),
    )
    if detail:
        snap.recent = list(
            reversed(
                await activities.activities_between(
                    session, coach_id, athlete.id, today - timedelta(days=14), today
                )
            )
        )[:3]
        ahead = await planning.workouts_between(
            session, coach_id, athlete.id, today, today + timedelta(days=14)
        )
        snap.upcoming = [w for w in ahead if w.status == WorkoutStatus.PLANNED][:3]
    return snap


def flag_text(flag: dict[str, Any]) -> str:
    match flag.get("reason"):
        case "missed_key_workout":
            return f"missed key workout “{flag.get('title')}” ({flag.get('date')})"
        case "pain":
            notes = "; ".join(flag.get("notes") or [])
            return "pain reported" + (f": {notes}" if notes else "")
        case "low_form":
            return f"form {flag.get('form')}, below the alert threshold"
        case "no_sync":
            days = flag.get("days")
            return "never synced" if days is None else f"no sync for {days} days"
        case "low_compliance":
            return f"low compliance ({flag.get('compliance_pct')} %)"
    return str(flag.get("reason", "needs attention"))
