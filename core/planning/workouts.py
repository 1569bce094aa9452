"""Workouts and plans: create, move, copy, complete, skip; templates and their assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.parsed import Sport
from core.clock import Clock
from core.coaching.relationships import require_permission
from core.db.engine import small_read
from core.db.models import PlanTemplate, TemplateWorkout, TrainingPlan, User, Workout
from core.enums import Permission, WorkoutStatus
from core.errors import Conflict, InvalidFields, InvalidInput, NotFound, Problem
from core.outbox import notifications
from core.outbox.payloads import (
    NewPlanPayload,
    WorkoutChangedPayload,
    WorkoutCompletedPayload,
)
from core.planning.structure import (
    estimate_load,
    total_distance_m,
    total_duration_s,
    validate_structure,
)
from core.timeutil import local_date


def _refused(field: str, code: str, english: str, **params: Any) -> InvalidFields:
    """One field refused, with a code the doors say in the person's language."""
    return InvalidFields([Problem(field, code, params=params)], english)


@dataclass
class WorkoutSpec:
    """What a coach or athlete asks for; validated before anything is stored."""

    sport: str
    title: str
    structure: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    planned_duration_s: float | None = None
    planned_distance_m: float | None = None
    planned_load: float | None = None
    key_workout: bool = False

    def validated(self) -> WorkoutSpec:
        try:
            sport = Sport(self.sport).value
        except ValueError as exc:
            raise _refused(
                "sport", "unknown_sport", f"“{self.sport}” is not a sport I know.", value=self.sport
            ) from exc
        title = self.title.strip()
        if not title:
            raise _refused("title", "missing", "A workout needs a title.")
        if len(title) > 200:
            raise _refused(
                "title", "too_long_text", "A workout title has at most 200 characters.", limit=200
            )
        structure = validate_structure(self.structure)
        duration = self.planned_duration_s or total_duration_s(structure)
        if duration is not None and not 0 < duration <= 24 * 3600:
            raise _refused("steps", "day_long", "A workout lasts between a minute and a day.")
        load = (
            self.planned_load
            if self.planned_load is not None
            else estimate_load(structure, duration)
        )
        return WorkoutSpec(
            sport=sport,
            title=title,
            structure=structure,
            description=self.description.strip(),
            planned_duration_s=duration,
            planned_distance_m=self.planned_distance_m or total_distance_m(structure),
            planned_load=load,
            key_workout=self.key_workout,
        )


async def local_today(session: AsyncSession, clock: Clock, user_id: int) -> date:
    user = await session.get_one(User, user_id)
    return local_date(clock.now(), user.timezone)


# Someone else's workout, asked for by id, answers exactly like a workout that never was.
UNKNOWN_WORKOUT = "That workout does not exist."


async def get_workout(session: AsyncSession, actor_id: int, workout_id: int) -> Workout:
    workout = await session.get(Workout, workout_id)
    if workout is None:
        raise NotFound(UNKNOWN_WORKOUT)
    await require_permission(
        session, actor_id, workout.athlete_id, Permission.VIEW_ACTIVITIES, unknown=UNKNOWN_WORKOUT
    )
    return workout


async def create_workout(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    athlete_id: int,
    on: date,
    spec: WorkoutSpec,
    *,
    plan_id: int | None = None,
) -> Workout:
    await require_permission(session, actor_id, athlete_id, Permission.PLAN_WORKOUTS)
    valid = spec.validated()
    workout = Workout(
        athlete_id=athlete_id,
        plan_id=plan_id,
        created_by_id=actor_id,
        sport=valid.sport,
        title=valid.title,
        description=valid.description,
        scheduled_date=on,
        structure=valid.structure,
        planned_duration_s=valid.planned_duration_s,
        planned_distance_m=valid.planned_distance_m,
        planned_load=valid.planned_load,
        key_workout=valid.key_workout,
        status=WorkoutStatus.PLANNED,
    )
    session.add(workout)
    await session.flush()
    if actor_id != athlete_id and plan_id is None:
        await notifications.notify(
            session,
            clock,
            recipient_id=athlete_id,
            payload=NewPlanPayload(workout_id=workout.id, date=on, title=workout.title),
            key=f"workout:{workout.id}:planned",
        )
    return workout


async def _editable(session: AsyncSession, actor_id: int, workout_id: int) -> Workout:
    workout = await session.get(Workout, workout_id)
    if workout is None:
        raise NotFound(UNKNOWN_WORKOUT)
    await require_permission(
        session, actor_id, workout.athlete_id, Permission.PLAN_WORKOUTS, unknown=UNKNOWN_WORKOUT
    )
    return workout


async def move_workout(
    session: AsyncSession, clock: Clock, actor_id: int, workout_id: int, to: date
) -> Workout:
    workout = await _editable(session, actor_id, workout_id)
    if workout.status == WorkoutStatus.COMPLETED:
        raise InvalidInput("refuse_completed_workout_stays_day_was_done")
    previous = workout.scheduled_date
    workout.scheduled_date = to
    workout.status = WorkoutStatus.PLANNED
    if previous != to:
        recipient = await _other_party(session, actor_id, workout.athlete_id)
        if recipient is not None:
            await notifications.notify(
                session,
                clock,
                recipient_id=recipient,
                payload=WorkoutChangedPayload(
                    workout_id=workout.id, moved_from=previous, to=to, title=workout.title
                ),
                key=f"workout:{workout.id}:moved:{previous}:{to}:{clock.now().isoformat()}",
            )
    return workout


SCALE_MIN, SCALE_MAX = 0.1, 2.0


async def scale_workout(
    session: AsyncSession, clock: Clock, actor_id: int, workout_id: int, factor: float
) -> Workout:
    """Make a planned workout shorter or longer: every step's duration and distance, the
    totals and the planned load times `factor` (0.1–2; 0.8 is "reduce 20 %").

    Needs PLAN_WORKOUTS; a completed workout is history and is refused. The athlete hears
    of it when someone else (their coach) scaled it.
    """
    if isinstance(factor, bool) or not SCALE_MIN <= factor <= SCALE_MAX:
        raise InvalidInput(f"Scale a workout by a factor between {SCALE_MIN} and {SCALE_MAX:g}.")
    workout = await _editable(session, actor_id, workout_id)
    if workout.status == WorkoutStatus.COMPLETED:
        raise InvalidInput("refuse_workout_already_done_cannot_be_scaled")
    workout.structure = validate_structure(_scaled_steps(workout.structure or [], factor))
    for name in ("planned_duration_s", "planned_distance_m", "planned_load"):
        value = getattr(workout, name)
        if value is not None:
            setattr(workout, name, round(value * factor, 1))
    await session.flush()
    if actor_id != workout.athlete_id:
        await notifications.notify(
            session,
            clock,
            recipient_id=workout.athlete_id,
            payload=WorkoutChangedPayload(
                workout_id=workout.id, title=workout.title, scaled_pct=round(factor * 100)
            ),
            key=f"workout:{workout.id}:scaled:{factor:g}:{clock.now().isoformat()}",
        )
    return workout


def _scaled_steps(structure: list[dict[str, Any]], factor: float) -> list[dict[str, Any]]:
    """Steps scaled in length; targets (power, pace, HR) and repeat counts are unchanged."""

    def step(s: dict[str, Any]) -> dict[str, Any]:
        out = dict(s)
        for key in ("duration_s", "distance_m"):
            if out.get(key) is not None:
                out[key] = round(out[key] * factor, 1)
        return out

    return [
        {**b, "steps": _scaled_steps(b["steps"], factor)} if "repeat" in b else step(b)
        for b in structure
    ]


async def copy_workout(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    workout_id: int,
    to: date,
    *,
    athlete_id: int | None = None,
) -> Workout:
    source = await _editable(session, actor_id, workout_id)
    spec = WorkoutSpec(
        sport=source.sport,
        title=source.title,
        structure=source.structure,
        description=source.description,
        planned_duration_s=source.planned_duration_s,
        planned_distance_m=source.planned_distance_m,
        planned_load=source.planned_load,
        key_workout=source.key_workout,
    )
    return await create_workout(session, clock, actor_id, athlete_id or source.athlete_id, to, spec)


async def complete_workout(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    workout_id: int,
    *,
    rpe: int | None = None,
    notes: str | None = None,
) -> Workout:
    workout = await _athlete_or_planner(session, actor_id, workout_id)
    if rpe is not None and not 1 <= rpe <= 10:
        raise InvalidInput("refuse_rpe_goes_1_very_easy_10_maximal")
    workout.status = WorkoutStatus.COMPLETED
    workout.completed_at = workout.completed_at or clock.now()
    if rpe is not None:
        workout.rpe = rpe
    if notes:
        workout.athlete_notes = notes
    await _tell_coach(
        session,
        clock,
        actor_id,
        workout,
        WorkoutCompletedPayload(
            workout_id=workout.id, athlete_id=workout.athlete_id, title=workout.title
        ),
        "completed",
    )
    return workout


async def skip_workout(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    workout_id: int,
    *,
    reason: str | None = None,
) -> Workout:
    workout = await _athlete_or_planner(session, actor_id, workout_id)
    if workout.status == WorkoutStatus.COMPLETED:
        raise InvalidInput("refuse_workout_already_done")
    workout.status = WorkoutStatus.SKIPPED
    if reason:
        workout.athlete_notes = reason
    await _tell_coach(
        session,
        clock,
        actor_id,
        workout,
        WorkoutChangedPayload(
            workout_id=workout.id,
            athlete_id=workout.athlete_id,
            title=workout.title,
            skipped=True,
            reason=reason,
        ),
        "skipped",
    )
    return workout


async def _tell_coach(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    workout: Workout,
    payload: WorkoutCompletedPayload | WorkoutChangedPayload,
    event: str,
) -> None:
    """When the athlete themself acted on a workout, their coach (if any) hears of it."""
    if actor_id != workout.athlete_id:
        return
    coach = await _other_party(session, actor_id, workout.athlete_id)
    if coach is None:
        return
    await notifications.notify(
        session,
        clock,
        recipient_id=coach,
        payload=payload,
        key=f"workout:{workout.id}:{event}",
    )


async def _athlete_or_planner(session: AsyncSession, actor_id: int, workout_id: int) -> Workout:
    workout = await session.get(Workout, workout_id)
    if workout is None:
        raise NotFound("refuse_workout_does_not_exist")
    if actor_id != workout.athlete_id:
        await require_permission(session, actor_id, workout.athlete_id, Permission.PLAN_WORKOUTS)
    return workout


async def _other_party(session: AsyncSession, actor_id: int, athlete_id: int) -> int | None:
    """Who should hear about a change: the coach when the athlete acted, else the athlete."""
    from core.coaching.relationships import active_relationship_of_athlete

    if actor_id != athlete_id:
        return athlete_id
    relationship = await active_relationship_of_athlete(session, athlete_id)
    return relationship.coach_id if relationship else None


async def workouts_between(
    session: AsyncSession, actor_id: int, athlete_id: int, first: date, last: date
) -> list[Workout]:
    await require_permission(session, actor_id, athlete_id, Permission.VIEW_ACTIVITIES)
    rows = await session.scalars(
        _WORKOUTS_BETWEEN, {"athlete_id": athlete_id, "first": first, "last": last}
    )
    return list(rows)


# Built once: /today, /week and the digests run it on every request, and building a
# statement (and its cache key) costs more Python than SQLAlchemy's compiled-SQL cache saves.
_WORKOUTS_BETWEEN = small_read(
    select(Workout)
    .where(
        Workout.athlete_id == bindparam("athlete_id"),
        Workout.scheduled_date.between(bindparam("first"), bindparam("last")),
    )
    .order_by(Workout.scheduled_date, Workout.id)
)


async def plan_spans(session: AsyncSession, athlete_id: int) -> list[PlanSpan]:
    """The athlete's plans with their first and last planned day (a plan's own workouts:
    the template may have changed or gone since)."""
    rows = await session.execute(
        select(
            TrainingPlan.name,
            TrainingPlan.start_date,
            func.max(Workout.scheduled_date),
        )
        .join(Workout, Workout.plan_id == TrainingPlan.id)
        .where(TrainingPlan.athlete_id == athlete_id)
        .group_by(TrainingPlan.id, TrainingPlan.name, TrainingPlan.start_date)
        .order_by(TrainingPlan.start_date)
    )
    return [PlanSpan(name, first, last) for name, first, last in rows]


# --- templates --------------------------------------------------------------------------


@dataclass
class TemplateEntry:
    week: int
    day: int
    spec: WorkoutSpec


async def create_template(
    session: AsyncSession,
    coach_id: int,
    name: str,
    weeks: int,
    entries: Sequence[TemplateEntry],
    *,
    description: str = "",
) -> PlanTemplate:
    if not name.strip():
        raise InvalidInput("refuse_plan_template_needs_name")
    if not 1 <= weeks <= 52:
        raise InvalidInput("refuse_plan_template_lasts_1_52_weeks")
    template = PlanTemplate(
        coach_id=coach_id, name=name.strip(), weeks=weeks, description=description
    )
    session.add(template)
    await session.flush()
    for entry in entries:
        if not (0 <= entry.week < weeks and 0 <= entry.day <= 6):
            raise InvalidInput(
                f"Week {entry.week + 1}, day {entry.day + 1} is outside a {weeks}-week template."
            )
        valid = entry.spec.validated()
        session.add(
            TemplateWorkout(
                template_id=template.id,
                week=entry.week,
                day=entry.day,
                sport=valid.sport,
                title=valid.title,
                description=valid.description,
                structure=valid.structure,
                planned_duration_s=valid.planned_duration_s,
                planned_distance_m=valid.planned_distance_m,
                planned_load=valid.planned_load,
                key_workout=valid.key_workout,
            )
        )
    await session.flush()
    return template


async def find_template(session: AsyncSession, coach_id: int, name: str) -> PlanTemplate:
    template = await session.scalar(
        select(PlanTemplate).where(PlanTemplate.coach_id == coach_id, PlanTemplate.name == name)
    )
    if template is None:
        raise NotFound(f"You have no plan template called “{name}”.")
    return template


@dataclass(frozen=True)
class PlanSpan:
    name: str
    first: date
    last: date


class PlanOverlap(Conflict):
    """The new plan's days meet another plan's: the coach confirms before both run."""

    def __init__(self, plans: list[PlanSpan]) -> None:
        listed = ", ".join(f"“{p.name}” ({p.first} – {p.last})" for p in plans)
        super().__init__(f"This plan overlaps {listed}.")
        self.plans = plans


async def assign_template(
    session: AsyncSession,
    clock: Clock,
    coach_id: int,
    template_id: int,
    athlete_id: int,
    start: date | None = None,
    *,
    overlap_confirmed: bool = False,
) -> TrainingPlan:
    """Dated workouts for the athlete from `start` (default: their local today).

    Assigning the same template from the same day again returns the plan already there
    (nothing is added, nobody is notified again): a repeated command, a double click or a
    retried request never doubles a plan. A plan whose days meet another plan of the
    athlete (another template, or the same from another day) raises `PlanOverlap` unless
    `overlap_confirmed`: the coach decides whether both should run.
    """
    template = await session.get(PlanTemplate, template_id)
    if template is None or template.coach_id != coach_id:
        raise NotFound("refuse_plan_template_does_not_exist")
    await require_permission(session, coach_id, athlete_id, Permission.PLAN_WORKOUTS)
    start = start or await local_today(session, clock, athlete_id)
    same = await session.scalar(
        select(TrainingPlan).where(
            TrainingPlan.athlete_id == athlete_id,
            TrainingPlan.template_id == template.id,
            TrainingPlan.start_date == start,
        )
    )
    if same is not None:
        return same
    last = start + timedelta(days=template.weeks * 7 - 1)
    overlaps = [
        p for p in await plan_spans(session, athlete_id) if p.first <= last and start <= p.last
    ]
    if overlaps and not overlap_confirmed:
        raise PlanOverlap(overlaps)
    plan = TrainingPlan(
        athlete_id=athlete_id,
        coach_id=coach_id,
        template_id=template.id,
        name=template.name,
        start_date=start,
    )
    session.add(plan)
    await session.flush()
    entries = await session.scalars(
        select(TemplateWorkout)
        .where(TemplateWorkout.template_id == template.id)
        .order_by(TemplateWorkout.week, TemplateWorkout.day, TemplateWorkout.id)
    )
    count = 0
    for entry in entries:
        on = start + timedelta(days=entry.week * 7 + entry.day)
        spec = WorkoutSpec(
            sport=entry.sport,
            title=entry.title,
            structure=entry.structure,
            description=entry.description,
            planned_duration_s=entry.planned_duration_s,
            planned_distance_m=entry.planned_distance_m,
            planned_load=entry.planned_load,
            key_workout=entry.key_workout,
        )
        await create_workout(session, clock, coach_id, athlete_id, on, spec, plan_id=plan.id)
        count += 1
    await notifications.notify(
        session,
        clock,
        recipient_id=athlete_id,
        payload=NewPlanPayload(plan_id=plan.id, name=plan.name, start=start, workout_count=count),
        key=f"plan:{plan.id}:assigned",
    )
    return plan
