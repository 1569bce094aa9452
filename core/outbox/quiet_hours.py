"""Quiet hours: a person's nightly window in which nothing is delivered to them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class RecipientLike(Protocol):
    """What the rules read of a person: a `User`, or a plain row of its columns."""

    @property
    def role(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def quiet_hours_start(self) -> time | None: ...
    @property
    def quiet_hours_end(self) -> time | None: ...


def quiet_until(user: RecipientLike, now: datetime) -> datetime | None:
    """End of the person's quiet window (UTC) if `now` falls inside it, else None.

    The window is wall-clock time in the person's timezone and may wrap midnight
    (22:00-07:00); zoneinfo places its end correctly on DST days.
    """
    start, end = user.quiet_hours_start, user.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    tz = ZoneInfo(user.timezone or "UTC")
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tz).astimezone(UTC)
