"""The iCalendar feed of one athlete: planned workouts and recorded sessions.

Where each event lands:
- A planned workout belongs to a day, not an hour, so it is an all-day event (VALUE=DATE).
  Google, Apple and Thunderbird show a DATE on that calendar day whatever the viewer's
  timezone, so a Tuesday workout never slides to Monday evening for a coach abroad.
- A recorded session happened at an instant; it carries TZID=<athlete's zone> with a
  VTIMEZONE generated from the IANA rules, so it sits on the athlete's local day and hour
  across daylight-saving changes, and clients in another zone convert it correctly.

UIDs are `workout-{id}@trainlytics` / `activity-{id}@trainlytics`, so a refreshed feed
replaces events instead of duplicating them; SEQUENCE and LAST-MODIFIED follow the row's
last change so clients notice moved or edited workouts. DTSTAMP is that same revision time
(RFC 5545 §3.8.7.2 for objects without METHOD), which keeps an unchanged feed byte-stable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from core.calendar.links import FeedContent, activity_numbers, workout_numbers
from core.db.models import Activity, User, Workout
from core.enums import WorkoutStatus
from core.planning.structure import describe
from core.words import say, sport_name

PRODID = "-//Trainlytics//Training calendar//EN"
UID_DOMAIN = "trainlytics"
REFRESH = timedelta(hours=1)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

_STATUS_PREFIX = {
    WorkoutStatus.COMPLETED: "✓ ",
    WorkoutStatus.SKIPPED: "✗ ",
}


def workout_uid(workout_id: int) -> str:
    return f"workout-{workout_id}@{UID_DOMAIN}"


def activity_uid(activity_id: int) -> str:
    return f"activity-{activity_id}@{UID_DOMAIN}"


def build_feed(content: FeedContent, *, calendar_url: str | None = None) -> bytes:
    athlete = content.athlete
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Trainlytics – {athlete.name}")
    cal.add("x-wr-timezone", athlete.timezone)
    # Apple/Google read REFRESH-INTERVAL (RFC 7986) or X-PUBLISHED-TTL as the polling hint.
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for workout in content.workouts:
        cal.add_component(workout_event(workout, athlete, calendar_url))
    for activity in content.activities:
        cal.add_component(activity_event(activity, athlete, calendar_url))
    if content.activities:
        # One VTIMEZONE for the TZID used, generated from the IANA rules for the years the
        # feed spans (the whole 1970–2038 default would make every refresh ten times larger).
        days = [a.start_utc.date() for a in content.activities]
        cal.add_missing_timezones(
            first_date=date(min(days).year - 1, 1, 1), last_date=date(max(days).year + 2, 1, 1)
        )
    return cal.to_ical()


def _revision(updated_at: datetime | None, created_at: datetime | None) -> datetime:
    stamp = updated_at or created_at or _EPOCH
    return stamp.astimezone(UTC).replace(microsecond=0)


def revision_of(item: Workout | Activity) -> datetime:
    """The event's LAST-MODIFIED: the row's last change, to the second."""
    return _revision(item.updated_at, item.created_at)


def _sequence(revision: datetime) -> int:
    # Seconds since a fixed epoch grow with every edit, which is all SEQUENCE must do.
    return max(0, int((revision - _EPOCH).total_seconds()))


def workout_event(workout: Workout, athlete: User, calendar_url: str | None) -> Event:
    revision = _revision(workout.updated_at, workout.created_at)
    event = Event()
    event.add("uid", workout_uid(workout.id))
    event.add("dtstamp", revision)
    event.add("last-modified", revision)
    event.add("sequence", _sequence(revision))
    event.add("dtstart", workout.scheduled_date)
    event.add("dtend", workout.scheduled_date + timedelta(days=1))
    prefix = _STATUS_PREFIX.get(WorkoutStatus(workout.status), "")
    key = " ★" if workout.key_workout else ""
    event.add("summary", f"{prefix}{workout.title}{key}")
    event.add("description", _workout_description(workout, athlete, calendar_url))
    event.add("categories", [workout.sport])
    event.add("transp", "TRANSPARENT")  # a plan does not make the athlete "busy"
    event.add("status", "CANCELLED" if workout.status == WorkoutStatus.SKIPPED else "CONFIRMED")
    return event


def _workout_description(workout: Workout, athlete: User, calendar_url: str | None) -> str:
    locale = athlete.locale
    state = {WorkoutStatus.COMPLETED: "done", WorkoutStatus.SKIPPED: "skipped"}.get(
        WorkoutStatus(workout.status), "planned"
    )
    sport = sport_name(locale, workout.sport).capitalize()
    lines = [f"{sport} – {say(locale, f'ics_state_{state}')}"]
    numbers = workout_numbers(workout, athlete.units)
    if numbers:
        lines.append(" · ".join(numbers))
    steps = describe(workout.structure or [])
    if steps:
        lines += ["", say(locale, "ics_steps")] + [f"• {step}" for step in steps]
    if workout.description:
        lines += ["", workout.description]
    if workout.compliance_pct is not None:
        lines += ["", say(locale, "ics_done_pct", pct=workout.compliance_pct)]
    if calendar_url:
        lines += ["", calendar_url]
    return "\n".join(lines)


def activity_event(activity: Activity, athlete: User, calendar_url: str | None) -> Event:
    revision = _revision(activity.updated_at, activity.created_at)
    tz = ZoneInfo(athlete.timezone)
    start = activity.start_utc.astimezone(tz).replace(microsecond=0)
    end = start + timedelta(seconds=max(60.0, activity.elapsed_s))
    name = activity.name or activity.sport.replace("_", " ").capitalize()
    numbers = activity_numbers(activity, athlete.units)
    event = Event()
    event.add("uid", activity_uid(activity.id))
    event.add("dtstamp", revision)
    event.add("last-modified", revision)
    event.add("sequence", _sequence(revision))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"{name} – {numbers[0]}" if numbers else name)
    description = [" · ".join(numbers)] if numbers else []
    if calendar_url:
        description += ["", calendar_url]
    event.add("description", "\n".join(description))
    event.add("categories", [activity.sport])
    event.add("transp", "OPAQUE")
    return event


def local_day_of(start: date | datetime, tz: str) -> date:
    """The athlete's calendar day an event's DTSTART stands for (all-day or timed)."""
    if isinstance(start, datetime):
        return start.astimezone(ZoneInfo(tz)).date()
    return start
