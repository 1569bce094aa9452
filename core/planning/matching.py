"""Planned workout ↔ recorded activity: matching and compliance.

An arriving activity completes the planned workout of the same local day and sport
family. Compliance is what was done against what was planned — load when both sides have
one, else duration — coloured with TrainingPeaks' bands: 80–120 % green, 50–79 % or
121–150 % yellow, anything else red.
"""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.parsed import Sport
from core.coaching.relationships import require_permission
from core.db.models import Activity, Workout
from core.enums import ComplianceColor, Permission, WorkoutStatus
from core.errors import InvalidInput, NotFound

GREEN_BAND = (80, 120)
YELLOW_BAND = (50, 150)


def sport_family(sport: str) -> str:
    try:
        return Sport(sport).family
    except ValueError:
        return sport


def compliance_color(pct: float) -> ComplianceColor:
    """TrainingPeaks' bands on the whole percentage (so 79.6 % counts as 80 %)."""
    whole = round(pct)
    if GREEN_BAND[0] <= whole <= GREEN_BAND[1]:
        return ComplianceColor.GREEN
    if YELLOW_BAND[0] <= whole <= YELLOW_BAND[1]:
        return ComplianceColor.YELLOW
    return ComplianceColor.RED


def compliance_pct(workout: Workout, activity: Activity) -> float | None:
    """Actual over planned, in %: load if both have a load, else duration; None if neither."""
    if workout.planned_load and activity.load is not None:
        return 100.0 * activity.load / workout.planned_load
    if workout.planned_duration_s:
        done = activity.moving_s or activity.elapsed_s
        return 100.0 * done / workout.planned_duration_s
    return None


def _complete(workout: Workout, activity: Activity, *, manual: bool) -> None:
    pct = compliance_pct(workout, activity)
    workout.matched_activity_id = activity.id
    workout.match_is_manual = manual
    workout.status = WorkoutStatus.COMPLETED
    workout.completed_at = activity.start_utc
    workout.compliance_pct = None if pct is None else round(pct, 1)
    # A done workout with nothing planned to compare against counts as done (green).
    workout.compliance_color = (
        ComplianceColor.GREEN if pct is None else compliance_color(pct)
    ).value


def _reset(workout: Workout) -> None:
    workout.matched_activity_id = None
    workout.match_is_manual = False
    workout.status = WorkoutStatus.PLANNED
    workout.completed_at = None
    workout.compliance_pct = None
    workout.compliance_color = None


async def matched_workout(session: AsyncSession, activity_id: int) -> Workout | None:
    return await session.scalar(select(Workout).where(Workout.matched_activity_id == activity_id))


async def match_activity(session: AsyncSession, activity: Activity) -> Workout | None:
    """Complete the planned workout this activity fulfils, if any; refresh compliance."""
    if activity.deleted_at is not None or activity.primary_activity_id is not None:
        return None
    current = await matched_workout(session, activity.id)
    if current is not None:
        if current.match_is_manual or (
            current.scheduled_date == activity.local_date
            and sport_family(current.sport) == sport_family(activity.sport)
        ):
            _complete(current, activity, manual=current.match_is_manual)
            await session.flush()
            return current
        # The activity changed day or sport (a provider edit): it no longer fits.
        _reset(current)
    candidates = await session.scalars(
        select(Workout).where(
            Workout.athlete_id == activity.user_id,
            Workout.scheduled_date == activity.local_date,
            Workout.matched_activity_id.is_(None),
            Workout.match_is_manual.is_(False),
            Workout.status.in_((WorkoutStatus.PLANNED, WorkoutStatus.COMPLETED)),
        )
    )
    family = sport_family(activity.sport)
    fitting = [w for w in candidates if sport_family(w.sport) == family]
    if not fitting:
        await session.flush()
        return None
    done = activity.moving_s or activity.elapsed_s

    def distance(w: Workout) -> tuple[float, int]:
        # Two rides in a day: the one whose planned duration is closest; then the earliest.
        gap = abs(w.planned_duration_s - done) if w.planned_duration_s else math.inf
        return gap, w.id

    workout = min(fitting, key=distance)
    _complete(workout, activity, manual=False)
    await session.flush()
    return workout


async def unmatch_activity(session: AsyncSession, activity_id: int) -> Workout | None:
    """The activity is gone: its workout is planned again (a manual match included)."""
    workout = await matched_workout(session, activity_id)
    if workout is not None:
        _reset(workout)
        await session.flush()
    return workout


async def transfer_match(
    session: AsyncSession, previous: Activity, kept: Activity
) -> Workout | None:
    """Another copy of the session is now kept: the workout follows it."""
    workout = await matched_workout(session, previous.id)
    if workout is None:
        return await match_activity(session, kept)
    _complete(workout, kept, manual=workout.match_is_manual)
    await session.flush()
    return workout


async def manual_match(
    session: AsyncSession, actor_id: int, workout_id: int, activity_id: int
) -> Workout:
    """Match by hand (athlete, or a coach allowed to plan); never undone automatically."""
    workout = await session.get(Workout, workout_id)
    if workout is None:
        raise NotFound("refuse_workout_does_not_exist")
    await require_permission(session, actor_id, workout.athlete_id, Permission.PLAN_WORKOUTS)
    activity = await session.get(Activity, activity_id)
    if (
        activity is None
        or activity.deleted_at is not None
        or activity.user_id != workout.athlete_id
    ):
        raise NotFound("refuse_activity_does_not_exist")
    if activity.primary_activity_id is not None:
        activity = await session.get_one(Activity, activity.primary_activity_id)
    if workout.matched_activity_id not in (None, activity.id):
        # The workout's previous activity becomes unplanned training.
        workout.matched_activity_id = None
    other = await matched_workout(session, activity.id)
    if other is not None and other.id != workout.id:
        if other.match_is_manual:
            raise InvalidInput("refuse_activity_matched_by_hand", title=other.title)
        _reset(other)
        await session.flush()
    _complete(workout, activity, manual=True)
    await session.flush()
    return workout
