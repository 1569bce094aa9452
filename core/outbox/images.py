"""Pictures a notification carries, drawn when the message goes out (never stored).

`IMAGE_RENDERERS` maps a kind to the function that draws its picture; the delivery
(`core.outbox.delivery.deliver_all_due`) uses it unless told otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import DailyLoad, Notification, User, Workout
from core.enums import NotificationKind, WorkoutStatus
from core.outbox.payloads import WeeklySummaryPayload, read_payload

ImageRenderer = Callable[[AsyncSession, Notification, User], Awaitable[bytes | None]]


async def load_chart_png(
    session: AsyncSession, user_id: int, today: date, locale: str
) -> bytes | None:
    """The athlete's load chart up to `today` (history and the next planned days)."""
    from core.charts import DEFAULT_HISTORY_WEEKS, PLAN_HORIZON_DAYS, render_load_chart

    since = today - timedelta(weeks=DEFAULT_HISTORY_WEEKS)
    loads = list(
        await session.scalars(
            select(DailyLoad)
            .where(DailyLoad.user_id == user_id, DailyLoad.day.between(since, today))
            .order_by(DailyLoad.day)
        )
    )
    if not loads:
        return None
    planned = list(
        await session.execute(
            select(Workout.scheduled_date, func.sum(func.coalesce(Workout.planned_load, 0.0)))
            .where(
                Workout.athlete_id == user_id,
                Workout.scheduled_date > today,
                Workout.scheduled_date <= today + timedelta(days=PLAN_HORIZON_DAYS),
                Workout.status == WorkoutStatus.PLANNED,
            )
            .group_by(Workout.scheduled_date)
            .order_by(Workout.scheduled_date)
        )
    )
    # Rendering is CPU work (~tens of ms); core.charts is thread-safe, so keep the event
    # loop free for other deliveries.
    return await asyncio.to_thread(
        render_load_chart,
        [d.day for d in loads],
        [d.load for d in loads],
        [d.fitness for d in loads],
        [d.fatigue for d in loads],
        [d.form for d in loads],
        planned_days=[p[0] for p in planned],
        planned_load=[float(p[1]) for p in planned],
        locale=locale,
        today=today,
    )


async def weekly_chart(session: AsyncSession, row: Notification, user: User) -> bytes | None:
    payload = read_payload(row.kind, row.payload)
    if not isinstance(payload, WeeklySummaryPayload) or payload.chart != "load":
        return None
    if payload.week_end is None:
        return None
    return await load_chart_png(session, user.id, payload.week_end, user.locale)


# Kinds whose delivery carries a PNG, rendered when the message goes out (not stored).
IMAGE_RENDERERS: Mapping[str, ImageRenderer] = {NotificationKind.WEEKLY_SUMMARY: weekly_chart}
