"""Check-in on a planned workout that has no recorded session behind it.

An athlete who trained without a device (or whose watch has not synced yet) still taps
Done and answers how it went. With no activity to hang the answers on
(`core.activities.ingest.check_in_answers` handles that case), they go on the workout itself, and
the coach hears about it through the outbox like any other check-in.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching.relationships import active_relationship_of_athlete
from core.db.models import Workout
from core.enums import Permission, WorkoutStatus
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.outbox import notifications
from core.outbox.payloads import CheckInPayload

MAX_PAIN_NOTE = 2000


def validate_answers(
    rpe: int | None, feel: int | None, pain: bool | None, pain_note: str | None
) -> None:
    """The same bounds as an activity's check-in, so both paths refuse the same input."""
    if rpe is not None and (isinstance(rpe, bool) or not 1 <= rpe <= 10):
        raise InvalidInput("refuse_rpe_goes_1_very_easy_10_maximal")
    if feel is not None and (isinstance(feel, bool) or not 1 <= feel <= 5):
        raise InvalidInput("refuse_feel_goes_1_awful_5_great")
    if pain_note is not None and len(pain_note) > MAX_PAIN_NOTE:
        raise InvalidInput("refuse_pain_note_too_long", max=MAX_PAIN_NOTE)
    if rpe is None and feel is None and pain is None and not pain_note:
        raise InvalidInput("refuse_tell_me_least_one_rpe_feel_or")


async def record_workout_check_in(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    workout_id: int,
    *,
    rpe: int | None = None,
    feel: int | None = None,
    pain: bool | None = None,
    pain_note: str | None = None,
) -> Workout:
    """Store the athlete's answers (RPE 1–10, feel 1–5, pain and a note) on the workout.

    Answering marks a still-planned workout done (the athlete says they did it). The
    coach of an active relationship that lets them see wellness gets one CHECK_IN
    notification per distinct set of answers: answering twice the same way notifies once,
    correcting an answer notifies again.
    """
    validate_answers(rpe, feel, pain, pain_note)
    workout = await session.get(Workout, workout_id)
    if workout is None:
        raise NotFound("refuse_workout_does_not_exist")
    if workout.athlete_id != athlete_id:
        raise PermissionDenied("refuse_only_athlete_answers_check_in_their_workout")
    if workout.status == WorkoutStatus.SKIPPED:
        raise InvalidInput("refuse_workout_was_skipped_mark_done_first")
    if workout.status != WorkoutStatus.COMPLETED:
        workout.status = WorkoutStatus.COMPLETED
        workout.completed_at = clock.now()
    if rpe is not None:
        workout.rpe = rpe
    if feel is not None:
        workout.feel = feel
    if pain is not None:
        workout.pain = pain
    if pain_note:
        workout.pain_note = pain_note
    await session.flush()
    relationship = await active_relationship_of_athlete(session, athlete_id)
    if relationship is not None and (relationship.permissions or {}).get(
        Permission.VIEW_WELLNESS, True
    ):
        answers = {"rpe": rpe, "feel": feel, "pain": pain, "pain_note": pain_note}
        fingerprint = hashlib.sha256(repr(sorted(answers.items())).encode()).hexdigest()[:16]
        await notifications.notify(
            session,
            clock,
            recipient_id=relationship.coach_id,
            payload=CheckInPayload(
                athlete_id=athlete_id,
                workout_id=workout.id,
                activity_id=None,
                title=workout.title,
                local_date=workout.scheduled_date,
                rpe=rpe,
                feel=feel,
                pain=pain,
                pain_note=pain_note,
            ),
            key=f"workout:{workout.id}:check_in:coach:{fingerprint}",
        )
    return workout
