"""The Monday weekly summary: the numbers of the week that just ended.

The load chart is drawn when the message goes out (core.outbox.images), not stored.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Activity, DailyLoad, Notification, User, Workout
from core.enums import WorkoutStatus
from core.outbox.notifications import notify
from core.outbox.payloads import WeeklySummaryPayload
from core.timeutil import local_date, week_start


async def week_numbers(session: AsyncSession, user_id: int, first: date) -> dict[str, Any]:
    """The numbers of one Monday-Sunday week of an athlete."""
    last = first + timedelta(days=6)
    activities = list(
        await session.scalars(
            select(Activity).where(
                Activity.user_id == user_id,
                Activity.local_date.between(first, last),
                Activity.deleted_at.is_(None),
                Activity.primary_activity_id.is_(None),
            )
        )
    )
    workouts = list(
        await session.scalars(
            select(Workout).where(
                Workout.athlete_id == user_id, Workout.scheduled_date.between(first, last)
            )
        )
    )
    completed = [w for w in workouts if w.status == WorkoutStatus.COMPLETED]
    compliance = [w.compliance_pct for w in completed if w.compliance_pct is not None]
    end = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == user_id, DailyLoad.day <= last)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    return {
        "week_start": first.isoformat(),
        "week_end": last.isoformat(),
        "activities": len(activities),
        "moving_s": round(sum(a.moving_s or 0 for a in activities)),
        "distance_m": round(sum(a.distance_m or 0 for a in activities)),
        "load": round(sum(a.load or 0 for a in activities), 1),
        "planned_workouts": len(workouts),
        "completed_workouts": len(completed),
        "compliance_pct": round(sum(compliance) / len(compliance)) if compliance else None,
        "fitness": round(end.fitness, 1) if end else None,
        "fatigue": round(end.fatigue, 1) if end else None,
        "form": round(end.form, 1) if end else None,
    }


async def write_weekly_summary(
    session: AsyncSession, clock: Clock, user_id: int
) -> Notification | None:
    """The week that just ended (local Monday-Sunday), with a load chart at delivery."""
    user = await session.get_one(User, user_id)
    this_monday = week_start(local_date(clock.now(), user.timezone))
    first = this_monday - timedelta(days=7)
    numbers = await week_numbers(session, user_id, first)
    if numbers["activities"] == 0 and numbers["planned_workouts"] == 0:
        return None  # nothing to summarise: say nothing rather than send zeros
    return await notify(
        session,
        clock,
        recipient_id=user_id,
        payload=WeeklySummaryPayload.model_validate({**numbers, "chart": "load"}),
        key=f"weekly:{user_id}:{first.isoformat()}",
    )
