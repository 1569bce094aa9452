"""Scheduled messages: when they fire for each person, and what they say.

Times are wall-clock times in the person's IANA timezone; zoneinfo turns them into UTC
instants, so a 07:00 reminder stays at 07:00 local across DST changes (never a fixed
offset). Every message is an outbox row with an idempotency key naming the person, the
day and the slot, so a schedule that fires twice (two schedulers, a restart inside the
minute) still sends once.

Per-person reminders live in a schedule store (the scheduler's dynamic source, see
workers/); `reconcile_all` keeps it in step with the database (the source of truth)
every minute, comparing with what the store really holds, so a store that lost its data
is refilled; `reconcile` does the same for one person after a settings change. Weekly
summaries and coach digests run from a quarter-hourly fan-out that picks the people
whose local time has just reached the slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching import relationships as coaching
from core.db.models import (
    Activity,
    DailyLoad,
    Notification,
    PersonSchedule,
    User,
    Workout,
)
from core.enums import NotificationKind, Role, WorkoutStatus
from core.outbox.notifications import notify
from core.timeutil import local_date, week_start


class ReminderSlot(StrEnum):
    EVENING = "evening"  # the evening before: tomorrow's workouts
    MORNING = "morning"  # the same morning: today's workouts


WEEKLY_SUMMARY_AT = time(7, 0)  # Monday, local
COACH_DIGEST_AT = time(7, 0)  # every day, local
DAILY_DIGEST_AT = time(18, 0)  # roll-up of "digest" notifications, local
FAN_OUT_WINDOW = timedelta(minutes=15)  # the fan-out task runs every 15 minutes

# What makes an athlete "need attention" in the coach digest.
FORM_ALERT_BELOW = -30.0
NO_SYNC_DAYS = 3
LOW_COMPLIANCE_PCT = 50.0
LOOKBACK_DAYS = 7


# --- when ---------------------------------------------------------------------------


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


class ScheduleStore(Protocol):
    """The scheduler's dynamic source, as core needs it (workers/ implements it)."""

    async def put(self, spec: ScheduleSpec) -> str:
        """Create or replace the schedule `spec.schedule_id`; returns its id."""
        ...

    async def remove(self, schedule_id: str) -> None: ...

    async def held(self) -> dict[str, ScheduleSpec]:
        """Every per-person schedule the store holds right now, by schedule id.

        Read from the store itself (Redis in production), never from our own records:
        what it holds is what the scheduler will fire.
        """
        ...


@dataclass
class ReconcileResult:
    added: list[str]
    removed: list[str]

    @property
    def users(self) -> list[int]:
        """The people whose schedules were put or removed."""
        return sorted({int(sid.split(":")[1]) for sid in (*self.added, *self.removed)})


_SETTINGS_COLUMNS = (User.id, User.timezone, User.reminder_evening_at, User.reminder_morning_at)


async def reconcile(session: AsyncSession, user_id: int, store: ScheduleStore) -> ReconcileResult:
    """Make one person's schedules in the store match their reminder settings.

    Kicked by the doors after a person changes a reminder time or their timezone.
    """
    person = (await session.execute(select(*_SETTINGS_COLUMNS).where(User.id == user_id))).one()
    held = {sid: s for sid, s in (await store.held()).items() if s.user_id == user_id}
    return await _converge(session, store, reminder_specs(person), held)


async def reconcile_all(session: AsyncSession, store: ScheduleStore) -> ReconcileResult:
    """Make every schedule in the store match the database, whatever the store holds.

    The database is the source of truth: a store that lost its data (Redis wiped or
    restored from an old snapshot) gets back every missing schedule, a schedule whose
    time or timezone differs is replaced, and one nobody wants any more is removed. Runs
    every minute, so a reminder due after a wipe still fires in its minute.
    """
    people = await session.execute(select(*_SETTINGS_COLUMNS).order_by(User.id))
    wanted = [spec for person in people for spec in reminder_specs(person)]
    return await _converge(session, store, wanted, await store.held())


async def _converge(
    session: AsyncSession,
    store: ScheduleStore,
    wanted: Sequence[ScheduleSpec],
    held: dict[str, ScheduleSpec],
) -> ReconcileResult:
    """Put the wanted specs the store lacks or holds differently, remove the others.

    `PersonSchedule` mirrors what was put (for operators and the admin views); it is
    never read to decide, since it cannot know what the store lost.
    """
    by_id = {spec.schedule_id: spec for spec in wanted}
    result = ReconcileResult([], [])
    for schedule_id in sorted(held.keys() - by_id.keys()):
        await store.remove(schedule_id)
        result.removed.append(schedule_id)
    for schedule_id, spec in by_id.items():
        if held.get(schedule_id) != spec:
            result.added.append(await store.put(spec))
    for user_id in result.users:
        await _record(session, user_id, [s for s in wanted if s.user_id == user_id])
    await session.flush()
    return result


async def _record(session: AsyncSession, user_id: int, specs: Sequence[ScheduleSpec]) -> None:
    rows = {
        row.kind: row
        for row in await session.scalars(
            select(PersonSchedule).where(
                PersonSchedule.user_id == user_id, PersonSchedule.kind.like("reminder_%")
            )
        )
    }
    wanted = {spec.kind: spec for spec in specs}
    for kind, row in rows.items():
        if kind not in wanted:
            await session.delete(row)
    for kind, spec in wanted.items():
        row = rows.get(kind)
        if row is None:
            row = PersonSchedule(user_id=user_id, kind=kind, cron="", timezone="")
            session.add(row)
        row.cron, row.timezone, row.schedule_id = spec.cron, spec.timezone, spec.schedule_id


# --- what ---------------------------------------------------------------------------


def _workout_item(w: Workout) -> dict[str, Any]:
    return {
        "id": w.id,
        "title": w.title,
        "sport": w.sport,
        "description": w.description,
        "planned_duration_s": w.planned_duration_s,
        "planned_distance_m": w.planned_distance_m,
        "key_workout": w.key_workout,
    }


async def write_reminder(
    session: AsyncSession, clock: Clock, user_id: int, slot: ReminderSlot | str
) -> Notification | None:
    """Tomorrow's (evening) or today's (morning) planned workouts; nothing when none."""
    slot = ReminderSlot(slot)
    user = await session.get_one(User, user_id)
    today = local_date(clock.now(), user.timezone)
    day = today + timedelta(days=1) if slot == ReminderSlot.EVENING else today
    workouts = list(
        await session.scalars(
            select(Workout)
            .where(
                Workout.athlete_id == user_id,
                Workout.scheduled_date == day,
                Workout.status == WorkoutStatus.PLANNED,
            )
            .order_by(Workout.id)
        )
    )
    if not workouts:
        return None
    return await notify(
        session,
        clock,
        recipient_id=user_id,
        kind=NotificationKind.REMINDER,
        payload={
            "slot": str(slot),
            "date": day.isoformat(),
            "workouts": [_workout_item(w) for w in workouts],
        },
        key=f"reminder:{user_id}:{day.isoformat()}:{slot}",
    )


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
        kind=NotificationKind.WEEKLY_SUMMARY,
        payload={**numbers, "chart": "load"},
        key=f"weekly:{user_id}:{first.isoformat()}",
    )


async def load_chart_png(
    session: AsyncSession, user_id: int, today: date, locale: str
) -> bytes | None:
    """The athlete's load chart up to `today` (history and the next planned days)."""
    import asyncio

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
    if (row.payload or {}).get("chart") != "load":
        return None
    until = date.fromisoformat(row.payload["week_end"])
    return await load_chart_png(session, user.id, until, user.locale)


# Kinds whose delivery carries a PNG, rendered when the message goes out (not stored).
IMAGE_RENDERERS = {NotificationKind.WEEKLY_SUMMARY.value: weekly_chart}


def _pain_notes_by_session(
    activities: Iterable[Activity], workouts: Iterable[Workout]
) -> list[str] | None:
    """Each session's pain notes once; None when no session hurt.

    A check-in writes the pain on the activity and on the workout it matched, and copies
    of one activity from several sources point at the kept one: all are one session, so
    the coach reads the knee once per run, not once per row.
    """
    sessions: dict[tuple[str, int], list[str | None]] = {}
    for a in activities:
        sessions.setdefault(("activity", a.primary_activity_id or a.id), []).append(a.pain_note)
    for w in workouts:
        key = ("activity", w.matched_activity_id) if w.matched_activity_id else ("workout", w.id)
        sessions.setdefault(key, []).append(w.pain_note)
    if not sessions:
        return None
    return [
        note
        for notes in sessions.values()
        for note in dict.fromkeys(n.strip() for n in notes if n and n.strip())
    ]


async def attention_reasons(
    session: AsyncSession, athlete: User, today: date, now: datetime
) -> list[dict[str, Any]]:
    """Why an athlete needs the coach's attention today, if at all."""
    since = today - timedelta(days=LOOKBACK_DAYS)
    reasons: list[dict[str, Any]] = []
    workouts = list(
        await session.scalars(
            select(Workout).where(
                Workout.athlete_id == athlete.id, Workout.scheduled_date.between(since, today)
            )
        )
    )
    missed = [
        w
        for w in workouts
        if w.key_workout and w.scheduled_date < today and w.status != WorkoutStatus.COMPLETED
    ]
    for w in missed:
        reasons.append(
            {
                "reason": "missed_key_workout",
                "workout_id": w.id,
                "title": w.title,
                "date": w.scheduled_date.isoformat(),
            }
        )
    pain_activities = await session.scalars(
        select(Activity).where(
            Activity.user_id == athlete.id,
            Activity.local_date.between(since, today),
            Activity.pain.is_(True),
            Activity.deleted_at.is_(None),
        )
    )
    pain_notes = _pain_notes_by_session(pain_activities, [w for w in workouts if w.pain])
    if pain_notes is not None:
        reasons.append({"reason": "pain", "notes": pain_notes})
    latest = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == athlete.id, DailyLoad.day <= today)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    if latest is not None and latest.form < FORM_ALERT_BELOW:
        reasons.append({"reason": "low_form", "form": round(latest.form, 1)})
    last_activity = await session.scalar(
        select(func.max(Activity.start_utc)).where(
            Activity.user_id == athlete.id, Activity.deleted_at.is_(None)
        )
    )
    if last_activity is None or now - last_activity > timedelta(days=NO_SYNC_DAYS):
        days = None if last_activity is None else (now - last_activity).days
        reasons.append({"reason": "no_sync", "days": days})
    past = [w for w in workouts if w.scheduled_date < today]
    if past:
        done = sum(1 for w in past if w.status == WorkoutStatus.COMPLETED)
        pct = 100.0 * done / len(past)
        if pct < LOW_COMPLIANCE_PCT:
            reasons.append({"reason": "low_compliance", "compliance_pct": round(pct)})
    return reasons


async def coach_attention(
    session: AsyncSession, clock: Clock, coach_id: int
) -> list[dict[str, Any]]:
    """The coach's athletes who need attention today, with why; snoozed ones left out
    (`coaching.snooze_athlete`) until the day after their snooze ends."""
    coach = await session.get_one(User, coach_id)
    now = clock.now()
    snoozed = await coaching.snoozed_athletes(session, coach_id, local_date(now, coach.timezone))
    athletes = []
    for athlete in await coaching.roster(session, coach_id):
        if athlete.id in snoozed:
            continue
        athlete_today = local_date(now, athlete.timezone)
        reasons = await attention_reasons(session, athlete, athlete_today, now)
        if reasons:
            athletes.append({"athlete_id": athlete.id, "name": athlete.name, "reasons": reasons})
    return athletes


async def write_coach_digest(
    session: AsyncSession, clock: Clock, coach_id: int
) -> Notification | None:
    """Today's list of athletes who need attention; no message when everyone is fine."""
    coach = await session.get_one(User, coach_id)
    today = local_date(clock.now(), coach.timezone)
    athletes = await coach_attention(session, clock, coach_id)
    if not athletes:
        return None
    return await notify(
        session,
        clock,
        recipient_id=coach_id,
        kind=NotificationKind.COACH_DIGEST,
        payload={"date": today.isoformat(), "athletes": athletes},
        key=f"coach_digest:{coach_id}:{today.isoformat()}",
    )


# --- the quarter-hourly fan-out -------------------------------------------------------


@dataclass
class FanOutResult:
    weekly_summaries: list[int]
    coach_digests: list[int]
    daily_digests: list[int]


async def fan_out(session: AsyncSession, clock: Clock) -> FanOutResult:
    """Write the weekly summaries, coach digests and daily digests due at this tick."""
    from core.outbox.delivery import roll_up_digest

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
