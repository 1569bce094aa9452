"""The evening and morning reminders: the planned workouts of the day, one row per slot.

Every message is an outbox row with an idempotency key naming the person, the day and
the slot, so a schedule that fires twice (two schedulers, a restart inside the minute)
still sends once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Notification, User, Workout
from core.enums import WorkoutStatus
from core.outbox.notifications import notify
from core.outbox.payloads import ReminderPayload, ReminderWorkout
from core.schedules.timing import ReminderSlot
from core.timeutil import local_date


def _workout_item(w: Workout) -> ReminderWorkout:
    return ReminderWorkout(
        id=w.id,
        title=w.title,
        sport=w.sport,
        description=w.description,
        planned_duration_s=w.planned_duration_s,
        planned_distance_m=w.planned_distance_m,
        key_workout=w.key_workout,
    )


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
        payload=ReminderPayload(
            slot=slot.value, date=day, workouts=tuple(_workout_item(w) for w in workouts)
        ),
        key=f"reminder:{user_id}:{day.isoformat()}:{slot}",
    )
