"""What a coach sees of their athletes, whichever door they use (Slack, Telegram, console).

`athlete_snapshot` gathers the numbers of one athlete (this week against the plan,
compliance, Fitness/Fatigue/Form, attention flags and, in detail, the last sessions and
the next workouts); `roster_snapshots` does it for the whole roster. Every read goes
through `core.coaching.relationships.require_permission`. An athlete who withholds their activities
shows in the roster as not shared (`AthleteSnapshot.shared`), the others as usual; an
athlete id from a button or a form that is not the coach's athlete answers exactly like
an id that exists nowhere (`coached_athlete`), so nobody outside a relationship learns
who exists (docs/security.md, "Permissions across people"). Wording and layout are left
to the doors.

The helpers below are the other decisions both doors share: which athlete a typed name
means (`find_athlete`, `split_athlete_name`), what a comment sent without a thread is
about (`comment_subject`) and the Telegram link that carries an invitation code
(`invitation_link`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities import entries as activities
from core.clock import Clock
from core.coaching import relationships as coaching
from core.coaching.relationships import NotShared, require_permission
from core.db.models import Activity, DailyLoad, User, Workout
from core.enums import Permission, WorkoutStatus
from core.errors import InvalidInput, NotFound
from core.planning import workouts as planning
from core.schedules.attention import attention_reasons
from core.timeutil import local_date, week_start

RECENT_DAYS = 14  # how far back "last activities" and ahead "next workouts" look
DETAIL_ITEMS = 3  # sessions and workouts listed in the detailed view
# What an athlete id outside the coach's relationships gets, the same as a missing id.
UNKNOWN_ATHLETE = "That athlete does not exist."


@dataclass
class AthleteSnapshot:
    athlete: User
    today: date
    last_sync: datetime | None
    week_planned: int  # workouts due so far this week (through today)
    week_done: int  # of those, completed
    week_load: float
    week_planned_load: float  # the whole week's plan
    fitness: float | None
    fatigue: float | None
    form: float | None
    flags: list[dict[str, Any]] = field(default_factory=list)  # core.schedules.attention reasons
    recent: list[Activity] = field(default_factory=list)  # newest first (detail only)
    upcoming: list[Workout] = field(default_factory=list)  # soonest first (detail only)
    # False: the athlete withholds their activities from this coach; no number is read.
    shared: bool = True

    @property
    def compliance_pct(self) -> int | None:
        return round(100 * self.week_done / self.week_planned) if self.week_planned else None


async def snapshot(
    session: AsyncSession, clock: Clock, coach_id: int, athlete: User, *, detail: bool = False
) -> AthleteSnapshot:
    """The snapshot of an athlete already loaded; `detail` adds recent and upcoming."""
    await require_permission(session, coach_id, athlete.id, Permission.VIEW_ACTIVITIES)
    now = clock.now()
    today = local_date(now, athlete.timezone)
    monday = week_start(today)
    week = await planning.workouts_between(
        session, coach_id, athlete.id, monday, monday + timedelta(days=6)
    )
    done = await activities.activities_between(session, coach_id, athlete.id, monday, today)
    last_sync = await session.scalar(
        select(func.max(Activity.created_at)).where(
            Activity.user_id == athlete.id, Activity.deleted_at.is_(None)
        )
    )
    load = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == athlete.id, DailyLoad.day <= today)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    due = [w for w in week if w.scheduled_date <= today]
    snap = AthleteSnapshot(
        athlete=athlete,
        today=today,
        last_sync=last_sync,
        week_planned=len(due),
        week_done=sum(1 for w in due if w.status == WorkoutStatus.COMPLETED),
        week_load=sum(a.load or 0.0 for a in done),
        week_planned_load=sum(w.planned_load or 0.0 for w in week),
        fitness=load.fitness if load else None,
        fatigue=load.fatigue if load else None,
        form=load.form if load else None,
        flags=await attention_reasons(session, athlete, today, now),
    )
    if detail:
        past = await activities.activities_between(
            session, coach_id, athlete.id, today - timedelta(days=RECENT_DAYS), today
        )
        snap.recent = list(reversed(past))[:DETAIL_ITEMS]
        ahead = await planning.workouts_between(
            session, coach_id, athlete.id, today, today + timedelta(days=RECENT_DAYS)
        )
        snap.upcoming = [w for w in ahead if w.status == WorkoutStatus.PLANNED][:DETAIL_ITEMS]
    return snap


async def athlete_snapshot(
    session: AsyncSession, clock: Clock, coach_id: int, athlete_id: int, *, detail: bool = True
) -> AthleteSnapshot:
    """One athlete in detail, by id (a button's argument): checked before anything is read."""
    athlete = await coached_athlete(session, coach_id, athlete_id)
    return await snapshot(session, clock, coach_id, athlete, detail=detail)


async def coached_athlete(session: AsyncSession, coach_id: int, athlete_id: int) -> User:
    """An athlete id someone could forge (a button, a form's metadata): one of the coach's
    athletes (or the coach themself), else `NotFound(UNKNOWN_ATHLETE)`, worded exactly as
    for an id that exists nowhere. What the coach may do with them is checked after."""
    if athlete_id != coach_id and not await coaching.active_relationship(
        session, coach_id, athlete_id
    ):
        raise NotFound(UNKNOWN_ATHLETE)
    athlete = await session.get(User, athlete_id)
    if athlete is None:
        raise NotFound(UNKNOWN_ATHLETE)
    return athlete


async def roster_snapshots(
    session: AsyncSession, clock: Clock, coach_id: int
) -> list[AthleteSnapshot]:
    """Every active athlete of the coach, by name (the roster's order).

    One athlete withholding their activities does not hide the others: that athlete's
    row is marked not shared and carries no numbers.
    """
    snaps = []
    for athlete in await coaching.roster(session, coach_id):
        try:
            snaps.append(await snapshot(session, clock, coach_id, athlete))
        except NotShared:
            snaps.append(_not_shared(athlete, local_date(clock.now(), athlete.timezone)))
    return snaps


def _not_shared(athlete: User, today: date) -> AthleteSnapshot:
    return AthleteSnapshot(
        athlete=athlete,
        today=today,
        last_sync=None,
        week_planned=0,
        week_done=0,
        week_load=0.0,
        week_planned_load=0.0,
        fitness=None,
        fatigue=None,
        form=None,
        shared=False,
    )


# --- names typed by a coach ------------------------------------------------------------


def _folded(name: str) -> str:
    """Case- and accent-blind form, so "chloe" finds Chloé on any keyboard."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


async def find_athlete(session: AsyncSession, coach_id: int, name: str) -> User:
    """One of the coach's athletes by name: exact (any case or accent), else a unique prefix."""
    wanted = _folded(name)
    if not wanted:
        raise InvalidInput("refuse_which_athlete_give_name_your_roster")
    athletes = await coaching.roster(session, coach_id)
    exact = [a for a in athletes if _folded(a.name) == wanted]
    if exact:
        return exact[0]
    partial = [a for a in athletes if _folded(a.name).startswith(wanted)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(a.name for a in partial)
        raise NotFound("refuse_several_athletes_match", name=name.strip(), names=names)
    raise NotFound("refuse_no_athlete_called", name=name.strip())


async def split_athlete_name(session: AsyncSession, coach_id: int, text: str) -> tuple[User, str]:
    """ "Alex Martin great job" → (Alex Martin, "great job"): the longest roster name first."""
    words = text.split()
    for cut in range(len(words), 0, -1):
        try:
            athlete = await find_athlete(session, coach_id, " ".join(words[:cut]))
        except NotFound:
            continue
        return athlete, " ".join(words[cut:])
    raise NotFound("refuse_no_athlete_named_at_start", text=text.strip())


# --- comments and invitations ----------------------------------------------------------


async def comment_subject(
    session: AsyncSession, clock: Clock, coach_id: int, athlete: User
) -> Activity | Workout:
    """What a comment without a thread is about: the athlete's latest session, else their
    next planned workout (today's if there is one)."""
    await require_permission(session, coach_id, athlete.id, Permission.COMMENT)
    latest = await session.scalar(
        select(Activity)
        .where(
            Activity.user_id == athlete.id,
            Activity.deleted_at.is_(None),
            Activity.primary_activity_id.is_(None),
        )
        .order_by(Activity.start_utc.desc())
        .limit(1)
    )
    if latest is not None:
        return latest
    today = local_date(clock.now(), athlete.timezone)
    upcoming = await session.scalar(
        select(Workout)
        .where(
            Workout.athlete_id == athlete.id,
            Workout.scheduled_date >= today,
            Workout.status == WorkoutStatus.PLANNED,
        )
        .order_by(Workout.scheduled_date, Workout.id)
        .limit(1)
    )
    if upcoming is None:
        raise NotFound("refuse_nothing_to_comment_on", name=athlete.name)
    return upcoming


def invitation_link(bot_username: str | None, code: str) -> str | None:
    """The Telegram deep link that opens the bot with `/start CODE`; None without a bot name.

    Telegram's start parameter allows only A-Z, a-z, 0-9, _ and -; invitation codes are
    drawn from capitals and digits, and anything else is refused rather than mangled.
    """
    name = (bot_username or "").strip().lstrip("@")
    if not name:
        return None
    if not code.isalnum() or not code.isascii():
        raise InvalidInput("refuse_code_not_for_telegram_link", code=code)
    return f"https://t.me/{quote(name)}?start={code}"
