"""The quarter-hourly fan-out: weekly summaries, coach digests and daily digests whose
local time has just come, for every person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import User
from core.enums import Role
from core.outbox.digest import roll_up_digest
from core.schedules.attention import write_coach_digest
from core.schedules.timing import (
    COACH_DIGEST_AT,
    DAILY_DIGEST_AT,
    WEEKLY_SUMMARY_AT,
    local_slot_reached,
)
from core.schedules.weekly import write_weekly_summary
from core.timeutil import local_date


@dataclass
class FanOutResult:
    weekly_summaries: list[int]
    coach_digests: list[int]
    daily_digests: list[int]


async def fan_out(session: AsyncSession, clock: Clock) -> FanOutResult:
    """Write the weekly summaries, coach digests and daily digests due at this tick."""
    now = clock.now()
    result = FanOutResult([], [], [])
    users: Sequence[User] = list(await session.scalars(select(User).order_by(User.id)))
    for user in users:
        tz = user.timezone or "UTC"
        athlete_side = user.role != Role.COACH
        coach_side = user.role in (Role.COACH, Role.BOTH)
        weekly = athlete_side and local_slot_reached(tz, now, WEEKLY_SUMMARY_AT, weekday=0)
        if weekly and await write_weekly_summary(session, clock, user.id):
            result.weekly_summaries.append(user.id)
        coach_digest = coach_side and local_slot_reached(tz, now, COACH_DIGEST_AT)
        if coach_digest and await write_coach_digest(session, clock, user.id):
            result.coach_digests.append(user.id)
        if local_slot_reached(tz, now, DAILY_DIGEST_AT):
            label = local_date(now, tz).isoformat()
            if await roll_up_digest(session, clock, user.id, label):
                result.daily_digests.append(user.id)
    return result
