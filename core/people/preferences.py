"""When a person hears from us: reminder times and quiet hours.

The doors offer a few choices (buttons) and parse what the person picked; the rules of
what may be stored live here: a reminder time is one of the offered times of its slot,
a quiet window has a start and an end that differ and leaves the person reachable for
most of the day. Refusals are `InvalidInput`; nothing is changed then.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import User
from core.errors import InvalidInput

# The reminder times offered, local time: the evening before, the same morning.
REMINDER_CHOICES: dict[str, tuple[time, ...]] = {
    "evening": (time(19, 0), time(20, 0), time(21, 0)),
    "morning": (time(6, 0), time(7, 0), time(8, 0)),
}
# The quiet windows offered (start, end), local time; a window may wrap midnight.
QUIET_CHOICES: tuple[tuple[time, time], ...] = (
    (time(21, 0), time(7, 0)),
    (time(22, 0), time(7, 0)),
    (time(23, 0), time(8, 0)),
)
# However the window is chosen, messages must get through for at least this long a day.
MAX_QUIET = timedelta(hours=16)


def reminder_time(slot: str, token: str) -> time | None:
    """The reminder time a choice token ("off", "1900") stands for; only offered times."""
    if slot not in REMINDER_CHOICES:
        raise InvalidInput("refuse_no_such_reminder")
    if token == "off":
        return None
    chosen = next((at for at in REMINDER_CHOICES[slot] if at.strftime("%H%M") == token), None)
    if chosen is None:
        raise InvalidInput("refuse_reminder_time_not_offered")
    return chosen


async def set_reminder(session: AsyncSession, user_id: int, slot: str, at: time | None) -> User:
    """Set (or, with None, switch off) the evening or morning reminder.

    The caller reconciles the person's schedules afterwards (core.schedules.reconcile).
    """
    if slot not in REMINDER_CHOICES:
        raise InvalidInput("refuse_no_such_reminder")
    if at is not None and at not in REMINDER_CHOICES[slot]:
        raise InvalidInput("refuse_reminder_time_not_offered")
    user = await session.get_one(User, user_id)
    if slot == "evening":
        user.reminder_evening_at = at
    else:
        user.reminder_morning_at = at
    await session.flush()
    return user


def quiet_length(start: time, end: time) -> timedelta:
    """How long a window from `start` to `end` lasts, wrapping midnight when end < start."""
    day = datetime(2000, 1, 1)
    length = datetime.combine(day, end) - datetime.combine(day, start)
    return length if length > timedelta(0) else length + timedelta(days=1)


def check_quiet_window(start: time | None, end: time | None) -> None:
    """Both ends or neither; different; not longer than MAX_QUIET."""
    if start is None and end is None:
        return
    if start is None or end is None:
        raise InvalidInput("refuse_quiet_hours_need_both_ends")
    if start == end:
        raise InvalidInput("refuse_quiet_hours_same_ends")
    if quiet_length(start, end) > MAX_QUIET:
        raise InvalidInput("refuse_quiet_hours_too_long")


async def set_quiet_hours(
    session: AsyncSession, user_id: int, start: time | None, end: time | None
) -> User:
    """Set the nightly window without messages (None, None: no quiet hours)."""
    check_quiet_window(start, end)
    user = await session.get_one(User, user_id)
    user.quiet_hours_start, user.quiet_hours_end = start, end
    await session.flush()
    return user
