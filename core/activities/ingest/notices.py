"""What the outbox hears when a session is recorded or changes.

A new session that is news gets the coach a summary and the athlete a check-in card; a
change or deletion asks the senders to edit (or remove) the messages already shown.
"""

from __future__ import annotations

from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.parsed import Sport
from core.clock import Clock
from core.coaching.relationships import active_relationship_of_athlete
from core.db.models import Activity, Notification, Workout
from core.enums import Permission
from core.outbox import notifications
from core.outbox.payloads import (
    ActivityRecordedPayload,
    CheckInPayload,
    SyncStatusPayload,
    WorkoutSummary,
)
from core.planning import matching

CHECK_IN_QUESTIONS = ("rpe", "feel", "pain")
# A session older than this is history when it arrives: no check-in, no coach ping.
NEWS_WINDOW_DAYS = 7


def is_news(sport: str, day: date, today: date) -> bool:
    """A session worth a check-in and a coach ping: not a transition, not old history."""
    return sport != Sport.TRANSITION and (today - day).days <= NEWS_WINDOW_DAYS


def activity_summary(activity: Activity, workout: Workout | None) -> ActivityRecordedPayload:
    """The numbers a coach sees when a session lands (no wording: the bot phrases it)."""
    return ActivityRecordedPayload(
        activity_id=activity.id,
        athlete_id=activity.user_id,
        name=activity.name,
        sport=activity.sport,
        local_date=activity.local_date,
        start_utc=activity.start_utc.astimezone(UTC),
        moving_s=activity.moving_s,
        elapsed_s=activity.elapsed_s,
        distance_m=activity.distance_m,
        load=activity.load,
        load_source=activity.load_source,
        intensity=activity.intensity,
        avg_hr=activity.avg_hr,
        avg_power=activity.avg_power,
        weighted_power=activity.weighted_power,
        workout=_workout_summary(workout),
    )


def _workout_summary(workout: Workout | None) -> WorkoutSummary | None:
    if workout is None:
        return None
    return WorkoutSummary(
        id=workout.id,
        title=workout.title,
        compliance_pct=workout.compliance_pct,
        compliance_color=workout.compliance_color,
    )


async def notify_recorded(
    session: AsyncSession,
    clock: Clock,
    activity: Activity,
    workout: Workout | None,
    *,
    check_in: bool,
) -> None:
    athlete_id = activity.user_id
    relationship = await active_relationship_of_athlete(session, athlete_id)
    coach_may_see = relationship is not None and relationship.permissions.get(
        Permission.VIEW_ACTIVITIES, True
    )
    if relationship is not None and coach_may_see and not activity.is_private:
        await notifications.notify(
            session,
            clock,
            recipient_id=relationship.coach_id,
            payload=activity_summary(activity, workout),
            key=f"activity:{activity.id}:recorded:coach",
        )
    if not check_in:
        return
    await notifications.notify(
        session,
        clock,
        recipient_id=athlete_id,
        payload=CheckInPayload(
            athlete_id=athlete_id,  # the athlete's own check-in card, not a coach's echo
            activity_id=activity.id,
            name=activity.name,
            sport=activity.sport,
            local_date=activity.local_date,
            asks=tuple(CHECK_IN_QUESTIONS),
            workout=_workout_summary(workout),
        ),
        key=f"activity:{activity.id}:check_in",
    )


# Values of `change` in an activity-change notice. "hidden" goes to the coach only: the
# athlete made the session private, so the coach's copy must disappear.
CHANGE_UPDATED = "updated"
CHANGE_DELETED = "deleted"
CHANGE_HIDDEN = "hidden"


async def notify_changed(
    session: AsyncSession, clock: Clock, activity: Activity, *, was_private: bool
) -> None:
    """Ask the senders to edit (or remove) the chat messages already shown for `activity`.

    One mechanism for every source (provider event, file, manual edit): a `sync_status`
    row `{"activity_changed": id, "change": ...}` per person who was shown the session;
    the senders find the messages through `message_refs.activity_id`. The coach hears of
    it only when allowed to see the athlete's activities; a session turning public again
    reaches the coach as a fresh `activity_recorded`. Keys carry a per-activity change
    counter, so each change is one row however often the same change is re-applied.
    """
    deleted = activity.deleted_at is not None
    change = CHANGE_DELETED if deleted else CHANGE_UPDATED
    payload = SyncStatusPayload(
        activity_changed=activity.id,
        change=change,
        athlete_id=activity.user_id,
        name=activity.name,
        sport=activity.sport,
        local_date=activity.local_date,
    )
    stamp = clock.now().isoformat()
    await _notify_change(session, clock, activity.user_id, activity.id, payload, stamp)
    relationship = await active_relationship_of_athlete(session, activity.user_id)
    if relationship is None or not relationship.permissions.get(Permission.VIEW_ACTIVITIES, True):
        return
    coach_id = relationship.coach_id
    if was_private and activity.is_private:
        return  # the coach never saw it
    if was_private and not deleted:  # made public: the coach sees it for the first time
        workout = await matching.matched_workout(session, activity.id)
        count = await _changes_so_far(session, activity.id, coach_id)
        await notifications.notify(
            session,
            clock,
            recipient_id=coach_id,
            payload=activity_summary(activity, workout),
            key=f"activity:{activity.id}:recorded:coach:{count + 1}",
        )
        return
    if activity.is_private and not deleted:
        # Nothing of a private session for the coach beyond which post to take down.
        payload = SyncStatusPayload(
            activity_changed=activity.id, change=CHANGE_HIDDEN, athlete_id=activity.user_id
        )
    await _notify_change(session, clock, coach_id, activity.id, payload, stamp)


async def _changes_so_far(session: AsyncSession, activity_id: int, recipient_id: int) -> int:
    prefix = f"activity:{activity_id}:"
    rows = await session.scalars(
        select(Notification.idempotency_key).where(
            Notification.recipient_id == recipient_id,
            Notification.idempotency_key.like(f"{prefix}%"),
        )
    )
    return sum(1 for key in rows if ":changed:" in key or ":recorded:coach:" in key)


async def _notify_change(
    session: AsyncSession,
    clock: Clock,
    recipient_id: int,
    activity_id: int,
    payload: SyncStatusPayload,
    stamp: str,
) -> None:
    count = await _changes_so_far(session, activity_id, recipient_id)
    await notifications.notify(
        session,
        clock,
        recipient_id=recipient_id,
        payload=payload,
        key=f"activity:{activity_id}:changed:{recipient_id}:{count + 1}:{stamp}",
    )
