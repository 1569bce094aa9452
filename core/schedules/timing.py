"""When scheduled messages fire: wall-clock times in each person's IANA timezone.

zoneinfo turns them into UTC instants, so a 07:00 reminder stays at 07:00 local across
DST changes (never a fixed offset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo


class ReminderSlot(StrEnum):
    EVENING = "evening"  # the evening before: tomorrow's workouts
    MORNING = "morning"  # the same morning: today's workouts


WEEKLY_SUMMARY_AT = time(7, 0)  # Monday, local
COACH_DIGEST_AT = time(7, 0)  # every day, local
DAILY_DIGEST_AT = time(18, 0)  # roll-up of "digest" notifications, local
FAN_OUT_WINDOW = timedelta(minutes=15)  # the fan-out task runs every 15 minutes


@dataclass(frozen=True)
class ScheduleSpec:
    """One recurring per-person job: `cron` read in `timezone` (5 fields, minute first)."""

    user_id: int
    slot: ReminderSlot
    cron: str
    timezone: str

    @property
    def kind(self) -> str:
        return f"reminder_{self.slot}"

    @property
    def schedule_id(self) -> str:
        # Stable per person and slot: replacing a schedule reuses the id, so a crash
        # between the scheduler and our database can never leave an orphan behind.
        return f"reminder:{self.user_id}:{self.slot}"


def cron_at(at: time, weekday: int | None = None) -> str:
    """Cron fields for a wall-clock time, daily or on one ISO weekday (0 = Monday)."""
    dow = "*" if weekday is None else str((weekday + 1) % 7)  # cron: 0 = Sunday
    return f"{at.minute} {at.hour} * * {dow}"


class ReminderSettings(Protocol):
    """What `reminder_specs` reads of a person: a `User`, or a row of those columns."""

    @property
    def id(self) -> int: ...
    @property
    def timezone(self) -> str: ...
    @property
    def reminder_evening_at(self) -> time | None: ...
    @property
    def reminder_morning_at(self) -> time | None: ...


def reminder_specs(user: ReminderSettings) -> list[ScheduleSpec]:
    specs = []
    for slot, at in (
        (ReminderSlot.EVENING, user.reminder_evening_at),
        (ReminderSlot.MORNING, user.reminder_morning_at),
    ):
        if at is not None:
            specs.append(ScheduleSpec(user.id, slot, cron_at(at), user.timezone or "UTC"))
    return specs


def next_fire(at: time, tz: str, after: datetime, weekday: int | None = None) -> datetime:
    """The first UTC instant strictly after `after` when the local clock in `tz` shows `at`.

    On a spring-forward day a time inside the gap (02:30 in Europe/Paris) fires at the
    instant zoneinfo maps it to (one hour later on the wall clock).
    """
    zone = ZoneInfo(tz)
    day = after.astimezone(zone).date()
    for offset in range(0, 9):
        candidate_day = day + timedelta(days=offset)
        if weekday is not None and candidate_day.weekday() != weekday:
            continue
        instant = datetime.combine(candidate_day, at, zone).astimezone(UTC)
        if instant > after:
            return instant
    raise AssertionError("a daily or weekly time always occurs within 8 days")


def local_slot_reached(tz: str, now: datetime, at: time, weekday: int | None = None) -> bool:
    """Whether the fan-out running at `now` is the one that should fire `at` local."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if weekday is not None and local.weekday() != weekday:
        return False
    start = datetime.combine(local.date(), at, zone).astimezone(UTC)
    return start <= now < start + FAN_OUT_WINDOW
