"""Demo data: a coach and three athletes with twelve weeks of plans and training.

`seed_demo` builds, through the same services the doors use (so every rule applies):
Coach Claire, who coaches Ana (cyclist), Ben (runner) and Chloé (triathlete) through
accepted invitations; their thresholds; a four-week plan template per athlete assigned
three times in a row (twelve weeks, ending about two weeks after today); the sessions of
the past ten weeks (a few re-dated copies of real FIT recordings shipped in
`core/demo/data/`, the rest summary sessions scored from heart rate), some skipped
workouts, one pain flag, a few comments; and the daily training load.

Everything is written in one unit of work and keyed on the coach's console identity, so a
second run (or a crash half-way) never leaves more or half the rows. Randomness comes
from a seeded generator: the same day gives the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.ingest.check_in_answers import record_check_in
from core.activities.ingest.recording import record_activity
from core.activities.parsed import ParsedActivity, Sport
from core.clock import Clock, FixedClock
from core.coaching import comments
from core.coaching import relationships as coaching
from core.db.engine import Database
from core.db.models import Notification, PlanTemplate, TrainingPlan, User, Workout
from core.enums import ActivitySource, NotificationStatus, Permission, Platform, Role
from core.files import parse_activity_file
from core.load import daily as training_load
from core.load import threshold_history as thresholds
from core.people import identities as accounts
from core.planning import workouts as planning
from core.planning.workouts import TemplateEntry, WorkoutSpec
from core.timeutil import local_date, week_start

COACH_NAME = "Coach Claire"
TIMEZONE = "Europe/Paris"
PLAN_WEEKS = 12
FUTURE_WEEKS = 2  # planned weeks after the current one
BLOCK_WEEKS = 4
# Weeks 1-3 build, week 4 recovers: the usual 3:1 loading of a training block.
WEEK_SCALE = (1.0, 1.1, 1.2, 0.7)
SKIP_PROBABILITY = 0.08
SEED = 20240601


# --- the people ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAthlete:
    name: str
    sport: str  # what they train for, for the coach's template name
    template: str
    thresholds: dict[str, Any]
    # Monday-first week of (sport, kind, minutes, key); None is a rest day.
    week: tuple[tuple[Sport, str, int, bool] | None, ...]
    # FIT recordings to re-date onto the latest workouts of that kind: (file, kind).
    recordings: tuple[tuple[str, str], ...] = ()


ATHLETES = (
    DemoAthlete(
        name="Ana",
        sport="road cycling",
        template="Road cycling build (4 weeks)",
        thresholds={
            "ftp_w": 280,
            "lthr_bpm": 165,
            "max_hr_bpm": 190,
            "rest_hr_bpm": 50,
            "weight_kg": 62,
            "sex": "f",
        },
        week=(
            None,
            (Sport.RIDE, "vo2", 75, True),
            (Sport.RIDE, "endurance", 60, False),
            (Sport.RIDE, "sweetspot", 75, False),
            (Sport.RIDE, "recovery", 40, False),
            (Sport.RIDE, "long", 150, True),
            (Sport.RIDE, "endurance", 90, False),
        ),
        recordings=(
            ("cycling_power_outdoor_edge810.fit", "vo2"),
            ("cycling_power_outdoor_edge810.fit", "vo2"),
            ("cycling_power_indoor_trainer.fit", "recovery"),
        ),
    ),
    DemoAthlete(
        name="Ben",
        sport="running",
        template="10k run block (4 weeks)",
        thresholds={
            "threshold_pace_s_per_km": 255,
            "lthr_bpm": 172,
            "max_hr_bpm": 195,
            "rest_hr_bpm": 48,
            "weight_kg": 71,
            "sex": "m",
        },
        week=(
            None,
            (Sport.RUN, "threshold", 55, True),
            (Sport.RUN, "easy", 45, False),
            (Sport.RUN, "tempo", 50, False),
            (Sport.RUN, "easy", 40, False),
            None,
            (Sport.RUN, "long", 90, True),
        ),
        recordings=(
            ("running_hr_gps_fenix2.fit", "easy"),
            ("running_hr_gps_fenix2.fit", "easy"),
        ),
    ),
    DemoAthlete(
        name="Chloé",
        sport="triathlon",
        template="Olympic triathlon base (4 weeks)",
        thresholds={
            "ftp_w": 230,
            "threshold_pace_s_per_km": 285,
            "css_s_per_100m": 100,
            "lthr_bpm": 168,
            "max_hr_bpm": 192,
            "rest_hr_bpm": 52,
            "weight_kg": 58,
            "sex": "f",
        },
        week=(
            (Sport.SWIM, "css", 50, False),
            (Sport.RIDE, "sweetspot", 60, True),
            (Sport.RUN, "easy", 45, False),
            (Sport.SWIM, "endurance", 45, False),
            None,
            (Sport.RIDE, "long", 120, True),
            (Sport.RUN, "long", 70, False),
        ),
        recordings=(
            ("cycling_power_indoor_trainer.fit", "sweetspot"),
            ("running_hr_gps_fenix2.fit", "easy"),
        ),
    ),
)
ATHLETE_NAMES = tuple(a.name for a in ATHLETES)
DEMO_DATA = "data"


@dataclass
class DemoResult:
    created: bool  # False when the demo was already there (nothing written)
    coach_id: int
    athlete_ids: dict[str, int] = field(default_factory=dict)
    workouts: int = 0
    activities: int = 0


# --- workouts ----------------------------------------------------------------------------


DESCRIPTIONS = {
    "vo2": "Hard four-minute efforts; full recoveries so each one is good.",
    "sweetspot": "Just under threshold: comfortably hard, steady breathing.",
    "threshold": "At threshold pace: controlled, not a race.",
    "tempo": "Steady tempo; you could say a short sentence.",
    "css": "Swim each 100 m at your critical swim speed.",
    "endurance": "Aerobic and steady; conversational all the way.",
    "easy": "Truly easy; slower than you think.",
    "long": "Long and aerobic; eat and drink from the start.",
    "recovery": "Very easy, to recover; short if tired.",
}


def _step(
    kind: str, minutes: float, target: str | None = None, low: float = 0, high: float = 0
) -> dict[str, Any]:
    step: dict[str, Any] = {"kind": kind, "duration_s": round(minutes * 60)}
    if target:
        step["target"] = {"type": target, "low": low, "high": high}
    return step


def _repeat(times: int, *steps: dict[str, Any]) -> dict[str, Any]:
    return {"repeat": times, "steps": list(steps)}


def workout_spec(sport: Sport, kind: str, minutes: int, key: bool, scale: float) -> WorkoutSpec:
    """One session of a template week, its volume scaled for the week of the block."""
    main = max(round(minutes * scale) - 25, 10)  # minutes between warm-up and cool-down
    target = {Sport.RIDE: "power", Sport.RUN: "pace", Sport.SWIM: "pace"}[sport]
    reps = max(round(main / 8), 2)
    builders: dict[str, tuple[str, list[dict[str, Any]]]] = {
        "vo2": (
            f"{reps}×4 min VO2max",
            [_repeat(reps, _step("interval", 4, target, 106, 120), _step("recovery", 4))],
        ),
        "sweetspot": (
            f"{max(reps // 2, 2)}×{main // max(reps // 2, 2) - 3} min sweet spot",
            [
                _repeat(
                    max(reps // 2, 2),
                    _step("interval", main // max(reps // 2, 2) - 3, target, 88, 94),
                    _step("recovery", 3),
                )
            ],
        ),
        "threshold": (
            f"{reps}×5 min at threshold",
            [_repeat(reps, _step("interval", 5, target, 98, 103), _step("recovery", 3))],
        ),
        "tempo": (f"{main} min tempo", [_step("steady", main, target, 85, 90)]),
        "css": (
            f"{reps}×100 m at CSS",
            [_repeat(reps, _step("interval", 4, target, 97, 103), _step("rest", 1))],
        ),
        "endurance": ("Endurance", [_step("steady", main, "heart_rate", 70, 80)]),
        "easy": ("Easy", [_step("steady", main, "heart_rate", 68, 78)]),
        "long": ("Long", [_step("steady", main, "heart_rate", 70, 82)]),
        "recovery": ("Recovery", [_step("steady", main, "heart_rate", 55, 68)]),
    }
    title, body = builders[kind]
    noun = {Sport.RIDE: "ride", Sport.RUN: "run", Sport.SWIM: "swim"}[sport]
    if kind in ("endurance", "easy", "long", "recovery"):
        title = f"{title} {noun}"
    warmup = _step("warmup", 15, "heart_rate", 60, 75)
    cooldown = _step("cooldown", 10, "heart_rate", 55, 70)
    return WorkoutSpec(
        sport=sport.value,
        title=title,
        structure=[warmup, *body, cooldown],
        description=DESCRIPTIONS[kind],
        key_workout=key,
    )


def template_entries(athlete: DemoAthlete) -> list[TemplateEntry]:
    entries = []
    for week, scale in enumerate(WEEK_SCALE):
        for day, session in enumerate(athlete.week):
            if session is not None:
                entries.append(TemplateEntry(week, day, workout_spec(*session, scale=scale)))
    return entries


# --- activities --------------------------------------------------------------------------

_SPEED_KMH = {Sport.RIDE: (27.0, 33.0), Sport.RUN: (10.5, 13.0), Sport.SWIM: (2.8, 3.4)}


def synthetic_session(
    workout: Workout, athlete: DemoAthlete, start: datetime, rng: random.Random
) -> ParsedActivity:
    """A session summary (duration, distance, heart rate) close to what was planned.

    Average heart rate follows the planned intensity so the load is scored from heart rate
    with the athlete's thresholds, as it would be for a watch summary without samples.
    """
    sport = Sport(workout.sport)
    planned_s = workout.planned_duration_s or 3600.0
    moving = planned_s * rng.uniform(0.88, 1.08)
    hours = planned_s / 3600.0
    planned_if = ((workout.planned_load or 50.0) / (hours * 100.0)) ** 0.5
    lthr = float(athlete.thresholds["lthr_bpm"])
    avg_hr = round(lthr * (0.53 + 0.4 * planned_if) + rng.uniform(-3.0, 3.0))
    low, high = _SPEED_KMH[sport]
    distance = moving / 3600.0 * rng.uniform(low, high) * 1000.0
    return ParsedActivity(
        sport=sport,
        start=start,
        elapsed_s=round(moving * rng.uniform(1.0, 1.06)),
        moving_s=round(moving),
        source_format="summary",
        name=workout.title,
        distance_m=round(distance, 1),
        avg_hr=float(avg_hr),
        max_hr=float(min(avg_hr + rng.randint(12, 25), athlete.thresholds["max_hr_bpm"])),
        avg_speed=distance / moving,
    )


@cache
def _recording(filename: str) -> ParsedActivity:
    data = resources.files("core.demo").joinpath(DEMO_DATA, filename).read_bytes()
    return parse_activity_file(data, filename)[0]


def redated(parsed: ParsedActivity, day: date, tz: str) -> ParsedActivity:
    """A recording moved to `day`, same local time of day; samples are relative, unchanged."""
    zone = ZoneInfo(tz)
    at = parsed.start.astimezone(zone).time()
    start = datetime.combine(day, at, zone).astimezone(UTC)
    # The original offset belongs to the original date; the athlete's zone decides now.
    return replace(parsed, start=start, timezone=tz, utc_offset_s=None)


def _start_on(day: date, rng: random.Random) -> datetime:
    hour = rng.choice((7, 12, 18)) if day.weekday() < 5 else rng.choice((8, 9, 10))
    return datetime.combine(day, time(hour, rng.choice((0, 15, 30))), ZoneInfo(TIMEZONE))


# --- seeding -----------------------------------------------------------------------------


def _address(name: str) -> accounts.ChatAddress:
    # The console door (`trainlytics chat --as NAME`) knows people by their lower-cased name.
    return accounts.ChatAddress(
        Platform.CONSOLE, platform_user_id=name.lower(), chat_id=name.lower(), display_name=name
    )


async def _person(session: AsyncSession, name: str, role: Role) -> User:
    user, _ = await accounts.get_or_create_person(session, _address(name), default_role=role)
    await accounts.set_timezone(session, user.id, TIMEZONE)
    user.onboarded = True
    return user


async def already_seeded(session: AsyncSession) -> User | None:
    """The demo coach, if the demo (written in one transaction) is in the database."""
    identity = await accounts.get_identity(session, _address(COACH_NAME))
    if identity is None:
        return None
    template = await session.scalar(
        select(PlanTemplate.id).where(
            PlanTemplate.coach_id == identity.user_id, PlanTemplate.name == ATHLETES[0].template
        )
    )
    return await session.get(User, identity.user_id) if template is not None else None


async def has_people(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(User)))


async def seed_demo(db: Database, clock: Clock) -> DemoResult:
    """Seed the demo unless it is already there; one transaction either way."""
    async with db.unit_of_work() as session:
        coach = await already_seeded(session)
        if coach is not None:
            return DemoResult(created=False, coach_id=coach.id)
        return await _seed(session, clock)


async def seed_demo_if_empty(db: Database, clock: Clock) -> DemoResult | None:
    """Seed only a database with nobody in it (the first `make run`); None otherwise."""
    async with db.unit_of_work() as session:
        if await has_people(session):
            return None
        return await _seed(session, clock)


async def _seed(session: AsyncSession, clock: Clock) -> DemoResult:
    rng = random.Random(SEED)
    coach = await _person(session, COACH_NAME, Role.COACH)
    await coaching.ensure_coach_profile(
        session,
        coach.id,
        bio="Endurance coach in Paris: cycling, running and triathlon.",
        specialties=["cycling", "running", "triathlon"],
    )
    today = local_date(clock.now(), TIMEZONE)
    first_day = week_start(today) - timedelta(weeks=PLAN_WEEKS - 1 - FUTURE_WEEKS)
    result = DemoResult(created=True, coach_id=coach.id)
    for athlete in ATHLETES:
        user = await _person(session, athlete.name, Role.ATHLETE)
        result.athlete_ids[athlete.name] = user.id
        invitation = await coaching.create_invitation(
            session, clock, coach.id, permissions={Permission.EDIT_THRESHOLDS: True}
        )
        await coaching.accept_invitation(session, clock, user.id, invitation.code)
        await thresholds.set_thresholds(
            session, coach.id, user.id, first_day - timedelta(days=28), **athlete.thresholds
        )
        template = await planning.create_template(
            session,
            coach.id,
            athlete.template,
            BLOCK_WEEKS,
            template_entries(athlete),
            description=f"Three build weeks and a recovery week, for {athlete.sport}.",
        )
        for block in range(PLAN_WEEKS // BLOCK_WEEKS):
            start = first_day + timedelta(weeks=block * BLOCK_WEEKS)
            await planning.assign_template(session, clock, coach.id, template.id, user.id, start)
        await _ensure_workout_today(session, clock, coach.id, user.id, athlete, today)
        workouts = await planning.workouts_between(
            session, coach.id, user.id, first_day, first_day + timedelta(weeks=PLAN_WEEKS)
        )
        result.workouts += len(workouts)
        result.activities += await _train(session, clock, athlete, user.id, workouts, today, rng)
    await _conversations(session, clock, coach.id, result.athlete_ids, today)
    await _history_delivered(session, clock, [coach.id, *result.athlete_ids.values()])
    return result


async def _history_delivered(session: AsyncSession, clock: Clock, people: list[int]) -> None:
    """The demo's past (plans assigned, comments, sessions) is history, not news: its
    notifications count as delivered, so the first `make run` does not send them all."""
    await session.execute(
        update(Notification)
        .where(
            Notification.recipient_id.in_(people),
            Notification.status == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.SENT, sent_at=clock.now())
    )


async def _ensure_workout_today(
    session: AsyncSession,
    clock: Clock,
    coach_id: int,
    athlete_id: int,
    athlete: DemoAthlete,
    today: date,
) -> None:
    """A rest day today would leave /today empty for someone trying the demo: add a spin."""
    if await planning.workouts_between(session, coach_id, athlete_id, today, today):
        return
    plan_id = await session.scalar(
        select(TrainingPlan.id)
        .where(TrainingPlan.athlete_id == athlete_id, TrainingPlan.start_date <= today)
        .order_by(TrainingPlan.start_date.desc())
        .limit(1)
    )
    sport = next(s[0] for s in athlete.week if s is not None)
    spec = workout_spec(sport, "recovery", 45, False, 1.0)
    await planning.create_workout(
        session, clock, coach_id, athlete_id, today, spec, plan_id=plan_id
    )


async def _train(
    session: AsyncSession,
    clock: Clock,
    athlete: DemoAthlete,
    athlete_id: int,
    workouts: list[Workout],
    today: date,
    rng: random.Random,
) -> int:
    """Record the past workouts (real recordings on the latest ones), skip a few."""
    past = [w for w in workouts if w.scheduled_date < today]
    recorded_on: dict[int, str] = {}
    for filename, kind in athlete.recordings:
        candidates = [
            w
            for w in reversed(past)
            if w.id not in recorded_on and w.description == DESCRIPTIONS[kind]
        ]
        if candidates:
            recorded_on[candidates[0].id] = filename
    count = 0
    for n, workout in enumerate(past):
        if workout.id not in recorded_on and rng.random() < SKIP_PROBABILITY:
            reason = rng.choice(("Work ran late", "Felt a cold coming", "Family day"))
            await planning.skip_workout(session, clock, athlete_id, workout.id, reason=reason)
            continue
        start = _start_on(workout.scheduled_date, rng)
        recording = recorded_on.get(workout.id)
        if recording is not None:
            parsed = redated(_recording(recording), workout.scheduled_date, TIMEZONE)
            source = ActivitySource.FILE
        else:
            parsed = synthetic_session(workout, athlete, start.astimezone(UTC), rng)
            source = ActivitySource.MANUAL
        # Recorded "as of" its own day, the daily load is brought up to that day only;
        # one recompute through today follows below instead of one per session.
        as_of = FixedClock(parsed.start + timedelta(seconds=parsed.elapsed_s))
        await record_activity(
            session,
            as_of,
            athlete_id,
            parsed,
            source=source,
            source_id=f"demo:{athlete.name.lower()}:{n}",
            notify=False,
        )
        count += 1
    if past:
        await training_load.recompute_from(
            session, athlete_id, past[0].scheduled_date, through=today
        )
    return count


async def _conversations(
    session: AsyncSession, clock: Clock, coach_id: int, athletes: dict[str, int], today: date
) -> None:
    """A pain flag, check-ins and a few comments, as a coach would find them on Monday."""
    recent = {
        name: await _latest_activities(session, coach_id, athlete_id, today)
        for name, athlete_id in athletes.items()
    }
    ana, ben, chloe = (athletes[a.name] for a in ATHLETES)
    if recent["Ana"]:
        ride = recent["Ana"][0]
        await record_check_in(session, clock, ana, ride.id, feel=5)
        await comments.add_comment(
            session,
            clock,
            coach_id,
            "Strong session: you held the power through the last efforts. Easy spin tomorrow.",
            activity_id=ride.id,
        )
    if recent["Ben"]:
        run = recent["Ben"][0]
        await record_check_in(
            session,
            clock,
            ben,
            run.id,
            feel=2,
            pain=True,
            pain_note="Left knee sore on the downhill part.",
        )
        await comments.add_comment(
            session,
            clock,
            coach_id,
            "Thanks for flagging the knee. Swap the next tempo for an easy run and tell me "
            "how it feels.",
            activity_id=run.id,
        )
        await comments.add_comment(
            session, clock, ben, "Will do, it already feels better today.", activity_id=run.id
        )
    if recent["Chloé"]:
        await record_check_in(session, clock, chloe, recent["Chloé"][0].id, feel=4)


async def _latest_activities(
    session: AsyncSession, coach_id: int, athlete_id: int, today: date
) -> list[Any]:
    from core.activities.entries import activities_between

    found = await activities_between(
        session, coach_id, athlete_id, today - timedelta(days=14), today
    )
    return sorted(found, key=lambda a: a.start_utc, reverse=True)


async def demo_counts(session: AsyncSession) -> dict[str, int]:
    """Rows per demo table, for the command's summary (and to check idempotency)."""
    from core.db.models import Activity, CoachingRelationship, Comment, DailyLoad

    counts = {}
    for model in (User, CoachingRelationship, Workout, Activity, DailyLoad, Comment):
        counts[model.__tablename__] = int(
            await session.scalar(select(func.count()).select_from(model)) or 0
        )
    return counts
