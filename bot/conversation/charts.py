"""The load chart a person sees in chat: /fitness and the weekly summary draw the same one.

History (the last twelve weeks) comes from `core.load.daily.load_series`, the next
two weeks from `forecast_to` (planned load and where Fitness, Fatigue and Form head if
the plan is followed), drawn by `core.charts.render_load_chart`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.charts import render_load_chart
from core.clock import Clock
from core.db.models import User
from core.load import daily as training_load
from core.timeutil import local_date

HISTORY_DAYS = 84
FORECAST_DAYS = 14


async def load_chart(
    session: AsyncSession, clock: Clock, user: User
) -> tuple[bytes, training_load.LoadSeries] | None:
    """The person's chart as of their today, with the series it shows; None without
    any training history (an empty chart says nothing)."""
    me = user.id
    today = local_date(clock.now(), user.timezone)
    series = await training_load.load_series(
        session, me, me, today - timedelta(days=HISTORY_DAYS - 1), today
    )
    if not any(series.load) and not any(series.fitness):
        return None
    ahead = await training_load.forecast_to(
        session, clock, me, me, today + timedelta(days=FORECAST_DAYS)
    )
    # forecast_to starts at today, which the history already shows: the chart wants the
    # days after it. Rendering is CPU work; core.charts is thread-safe, so it runs off
    # the event loop and other chats are not held up.
    png = await asyncio.to_thread(
        render_load_chart,
        series.days,
        series.load,
        series.fitness,
        series.fatigue,
        series.form,
        planned_days=ahead.days[1:],
        planned_load=ahead.planned_load[1:],
        forecast_fitness=ahead.fitness[1:],
        forecast_fatigue=ahead.fatigue[1:],
        forecast_form=ahead.form[1:],
        locale=user.locale,
        today=today,
    )
    return png, series


async def weekly_load_chart(session: AsyncSession, clock: Clock, user: User) -> bytes | None:
    """The chart for a weekly summary, drawn as of the delivery day so that a summary
    held back by quiet hours still shows the plan ahead from today."""
    drawn = await load_chart(session, clock, user)
    return drawn[0] if drawn else None
