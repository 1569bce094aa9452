"""Private calendar links: their tokens, and what the read-only calendar and feed show.

A token is derived, never stored: HMAC-SHA256 of the person's id and the link's
generation under TRAINLYTICS_SECRET_KEY (256 bits, base64url). The database keeps the
generation and the token's SHA-256, so the owner can be shown the same link again (a
subscription already added to Google or Apple Calendar keeps working), while a database
leak without the secret key reveals no working link. A new link is the next generation;
the previous row is revoked, so the old link answers 404. Looking a token up is one
indexed equality query on the hash whatever the input, so a guessed, revoked or
malformed token costs the same as a real one and is answered the same way (None).

Links issued before derivation (random tokens, no generation) keep working until
replaced but cannot be shown again; neither can any link after the secret key changed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities import entries as activity_service
from core.clock import Clock
from core.coaching.relationships import require_permission, roster
from core.db.models import Activity, CalendarToken, DailyLoad, User, Workout
from core.enums import Permission, Role, Units, WorkoutStatus
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.planning import workouts as planning
from core.planning.structure import describe
from core.timeutil import local_date, week_start, zone

TOKEN_BYTES = 32  # 256 bits; the product promises at least 128
_MAX_TOKEN_CHARS = 128  # anything longer is not one of ours; hash a bounded prefix
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 180


# --- tokens -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token[:_MAX_TOKEN_CHARS].encode("utf-8", "replace")).hexdigest()


def derive_token(secret: str, user_id: int, generation: int) -> str:
    """The link token of one generation of one person's calendar link."""
    if not secret:
        raise ValueError("Calendar links need TRAINLYTICS_SECRET_KEY.")
    message = f"calendar-link:{user_id}:{generation}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode()


async def issue_token(session: AsyncSession, clock: Clock, user_id: int, *, secret: str) -> str:
    """A new calendar link for the person (the next generation); the previous one stops."""
    if await session.get(User, user_id) is None:
        raise NotFound("refuse_person_does_not_exist")
    await revoke_tokens(session, clock, user_id)
    latest = await session.scalar(
        select(func.max(CalendarToken.generation)).where(CalendarToken.user_id == user_id)
    )
    generation = (latest or 0) + 1
    token = derive_token(secret, user_id, generation)
    session.add(CalendarToken(user_id=user_id, token_hash=hash_token(token), generation=generation))
    await session.flush()
    return token


async def current_token(session: AsyncSession, user_id: int, *, secret: str) -> str | None:
    """The person's active link token, or None when there is none that can be shown."""
    row = await _active_row(session, user_id)
    if row is None or row.generation is None:
        return None
    token = derive_token(secret, user_id, row.generation)
    # A changed secret key derives another token: that is not the link they hold.
    return token if hmac.compare_digest(hash_token(token), row.token_hash) else None


async def current_or_new_token(
    session: AsyncSession, clock: Clock, user_id: int, *, secret: str
) -> tuple[str | None, bool]:
    """(token, issued): the link to show, a first one issued when the person has none.

    (None, False) when a link is active but cannot be shown (see the module docstring).
    """
    token = await current_token(session, user_id, secret=secret)
    if token is not None:
        return token, False
    if await has_active_token(session, user_id):
        return None, False
    return await issue_token(session, clock, user_id, secret=secret), True


async def _active_row(session: AsyncSession, user_id: int) -> CalendarToken | None:
    return await session.scalar(
        select(CalendarToken)
        .where(CalendarToken.user_id == user_id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id.desc())
        .limit(1)
    )


async def revoke_tokens(session: AsyncSession, clock: Clock, user_id: int) -> int:
    """Revoke every active calendar link of the person; returns how many were active."""
    result = await session.execute(
        update(CalendarToken)
        .where(CalendarToken.user_id == user_id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def has_active_token(session: AsyncSession, user_id: int) -> bool:
    return await _active_row(session, user_id) is not None


async def resolve_token(session: AsyncSession, clock: Clock, token: str) -> User | None:
    """The owner of an active token, or None for unknown, revoked or malformed ones."""
    row = await session.scalar(
        select(CalendarToken).where(CalendarToken.token_hash == hash_token(token))
    )
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = clock.now()
    return await session.get(User, row.user_id)


def calendar_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/calendar/{token}"


def feed_url(public_url: str, token: str) -> str:
    return f"{calendar_url(public_url, token)}.ics"


# --- who a link may show ----------------------------------------------------------------


async def viewable_athletes(session: AsyncSession, owner: User) -> list[User]:
    """The owner (unless only a coach) then each coached athlete who lets them see activities."""
    people = [] if owner.role == Role.COACH else [owner]
    for athlete in await roster(session, owner.id):
        try:
            await require_permission(session, owner.id, athlete.id, Permission.VIEW_ACTIVITIES)
        except PermissionDenied:
            continue
        people.append(athlete)
    return people


# --- formatting shared by the page and the feed -----------------------------------------


def format_duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}" if secs else f"{hours} h {minutes:02d}"
    return f"{minutes}:{secs:02d}" if secs else f"{minutes} min"


def format_distance(metres: float | None, units: str) -> str:
    if not metres:
        return ""
    if units == Units.IMPERIAL:
        return f"{metres / 1609.344:.1f} mi"
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def activity_numbers(activity: Activity, units: str) -> list[str]:
    """The key figures of a session, most telling first, empty ones left out."""
    numbers = [
        format_duration(activity.moving_s or activity.elapsed_s),
        format_distance(activity.distance_m, units),
        f"load {activity.load:.0f}" if activity.load is not None else "",
        f"{activity.avg_power:.0f} W" if activity.avg_power else "",
        f"{activity.avg_hr:.0f} bpm" if activity.avg_hr else "",
        f"RPE {activity.rpe}" if activity.rpe else "",
    ]
    return [n for n in numbers if n]


def workout_numbers(workout: Workout, units: str) -> list[str]:
    numbers = [
        format_duration(workout.planned_duration_s),
        format_distance(workout.planned_distance_m, units),
        f"load {workout.planned_load:.0f}" if workout.planned_load is not None else "",
    ]
    return [n for n in numbers if n]


# --- the month page ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorkoutEntry:
    id: int
    title: str
    sport: str
    key_workout: bool
    steps: list[str]
    numbers: list[str]
    # planned / done / green / yellow / red / skipped / missed: what the colour means
    state: str
    compliance_pct: float | None
    description: str


@dataclass(frozen=True)
class ActivityEntry:
    id: int
    name: str
    sport: str
    start_local: datetime
    numbers: list[str]


@dataclass
class DayEntry:
    day: date
    in_month: bool
    is_today: bool
    workouts: list[WorkoutEntry] = field(default_factory=list)
    activities: list[ActivityEntry] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.workouts and not self.activities


@dataclass
class WeekEntry:
    monday: date
    days: list[DayEntry]
    planned_load: float
    actual_load: float
    fitness: float | None
    fatigue: float | None
    form: float | None

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@dataclass
class MonthCalendar:
    athlete: User
    month: date  # first day of the month
    today: date
    weeks: list[WeekEntry]

    @property
    def previous_month(self) -> date:
        return (self.month - timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> date:
        return (self.month + timedelta(days=31)).replace(day=1)

    def week_of(self, day: date) -> WeekEntry | None:
        return next((w for w in self.weeks if w.monday <= day <= w.sunday), None)


def parse_month(value: str | None, today: date) -> date:
    """'2026-03' → 2026-03-01; nothing → the current month. Bad input gets InvalidInput."""
    if not value:
        return today.replace(day=1)
    try:
        parsed = datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise InvalidInput("refuse_month_written_yyyy_mm_e_g_2026") from exc
    if not 2000 <= parsed.year <= 2100:
        raise InvalidInput("refuse_month_out_range")
    return parsed


def workout_state(workout: Workout, today: date) -> str:
    if workout.compliance_color:
        return workout.compliance_color
    if workout.status == WorkoutStatus.COMPLETED:
        return "done"
    if workout.status == WorkoutStatus.SKIPPED:
        return "skipped"
    if workout.scheduled_date < today:
        return "missed"
    return "planned"


async def month_calendar(
    session: AsyncSession, clock: Clock, viewer_id: int, athlete_id: int, month: date
) -> MonthCalendar:
    """The athlete's month in whole Monday–Sunday weeks, as the viewer may see it."""
    await require_permission(session, viewer_id, athlete_id, Permission.VIEW_ACTIVITIES)
    athlete = await session.get_one(User, athlete_id)
    today = local_date(clock.now(), athlete.timezone)
    month = month.replace(day=1)
    last = month.replace(day=monthrange(month.year, month.month)[1])
    first_monday = week_start(month)
    last_sunday = week_start(last) + timedelta(days=6)

    workouts = await planning.workouts_between(
        session, viewer_id, athlete_id, first_monday, last_sunday
    )
    sessions = await activity_service.activities_between(
        session, viewer_id, athlete_id, first_monday, last_sunday
    )
    loads = {
        row.day: row
        for row in await session.scalars(
            select(DailyLoad).where(
                DailyLoad.user_id == athlete_id, DailyLoad.day.between(first_monday, last_sunday)
            )
        )
    }

    days: dict[date, DayEntry] = {}
    cursor = first_monday
    while cursor <= last_sunday:
        days[cursor] = DayEntry(cursor, cursor.month == month.month, cursor == today)
        cursor += timedelta(days=1)
    for workout in workouts:
        days[workout.scheduled_date].workouts.append(_workout_entry(workout, athlete, today))
    tz = zone(athlete.timezone)
    for activity in sessions:
        days[activity.local_date].activities.append(
            ActivityEntry(
                id=activity.id,
                name=activity.name or activity.sport.replace("_", " ").capitalize(),
                sport=activity.sport,
                start_local=activity.start_utc.astimezone(tz),
                numbers=activity_numbers(activity, athlete.units),
            )
        )

    weeks = []
    monday = first_monday
    while monday <= last_sunday:
        week_days = [days[monday + timedelta(days=i)] for i in range(7)]
        weeks.append(_week_entry(monday, week_days, workouts, sessions, loads, today))
        monday += timedelta(days=7)
    return MonthCalendar(athlete=athlete, month=month, today=today, weeks=weeks)


def _workout_entry(workout: Workout, athlete: User, today: date) -> WorkoutEntry:
    return WorkoutEntry(
        id=workout.id,
        title=workout.title,
        sport=workout.sport,
        key_workout=workout.key_workout,
        steps=describe(workout.structure or []),
        numbers=workout_numbers(workout, athlete.units),
        state=workout_state(workout, today),
        compliance_pct=workout.compliance_pct,
        description=workout.description,
    )


def _week_entry(
    monday: date,
    days: list[DayEntry],
    workouts: list[Workout],
    sessions: list[Activity],
    loads: dict[date, DailyLoad],
    today: date,
) -> WeekEntry:
    sunday = monday + timedelta(days=6)
    planned = sum(w.planned_load or 0 for w in workouts if monday <= w.scheduled_date <= sunday)
    week_loads = [loads[d.day] for d in days if d.day in loads]
    if week_loads:
        actual = sum(row.load for row in week_loads)
    else:
        # Daily loads are computed by the metrics job; until it ran, sum the sessions.
        actual = sum(a.load or 0 for a in sessions if monday <= a.local_date <= sunday)
    # Fitness and form as they stood at the end of the week (or today, mid-week).
    latest = max((row for row in week_loads if row.day <= today), key=lambda r: r.day, default=None)
    return WeekEntry(
        monday=monday,
        days=days,
        planned_load=round(planned, 1),
        actual_load=round(actual, 1),
        fitness=latest.fitness if latest else None,
        fatigue=latest.fatigue if latest else None,
        form=latest.form if latest else None,
    )


# --- the feed ---------------------------------------------------------------------------


@dataclass
class FeedContent:
    athlete: User
    workouts: list[Workout]
    activities: list[Activity]


async def feed_content(
    session: AsyncSession, clock: Clock, viewer_id: int, athlete_id: int
) -> FeedContent:
    """What a subscribed calendar shows: the last three months and the next six."""
    athlete = await session.get_one(User, athlete_id)
    today = local_date(clock.now(), athlete.timezone)
    first = today - timedelta(days=FEED_DAYS_BACK)
    last = today + timedelta(days=FEED_DAYS_AHEAD)
    workouts = await planning.workouts_between(session, viewer_id, athlete_id, first, last)
    sessions = await activity_service.activities_between(
        session, viewer_id, athlete_id, first, last
    )
    return FeedContent(athlete=athlete, workouts=workouts, activities=sessions)
