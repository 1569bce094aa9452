"""Local-time helpers: every "today" and "this week" is the person's own, in their timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import InvalidTimezone


def validate_timezone(name: str) -> str:
    """Return the IANA name if it exists, else raise InvalidTimezone with a helpful message."""
    candidate = (name or "").strip()
    if candidate and "/" not in candidate and candidate.upper() != "UTC":
        # "paris" is a city, not a zone; match it against the IANA city part.
        matches = sorted(
            z for z in available_timezones() if z.split("/")[-1].lower() == candidate.lower()
        )
        if len(matches) == 1:
            return matches[0]
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise InvalidTimezone("refuse_timezone_unknown", name=name) from exc
    return "UTC" if candidate.upper() == "UTC" else candidate


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def local_midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def week_start(day: date) -> date:
    """Monday of the week containing `day` (ISO weeks)."""
    return day - timedelta(days=day.weekday())


def at_local_time(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz` (DST handled by zoneinfo)."""
    return datetime.combine(day, at, ZoneInfo(tz)).astimezone(UTC)
