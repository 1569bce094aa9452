"""The athlete's check-in answers (RPE, feel, pain) on a recorded session and its workout.

A check-in on a planned workout without a recorded session is `core.planning.checkins`.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities import duplicates as dedupe
from core.activities.ingest.scoring import rescore
from core.clock import Clock
from core.coaching.relationships import active_relationship_of_athlete
from core.db.models import Activity, Notification
from core.enums import NotificationStatus
from core.errors import NotFound, PermissionDenied
from core.load import daily as training_load
from core.outbox import notifications
from core.outbox.payloads import CheckInPayload
from core.planning import matching
from core.planning.checkins import validate_answers


async def record_check_in(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    activity_id: int,
    *,
    rpe: int | None = None,
    feel: int | None = None,
    pain: bool | None = None,
    pain_note: str | None = None,
) -> Activity:
    """The athlete's answers (RPE 1–10, feel 1–5, pain) on the activity and its workout.

    An activity with no load yet (no thresholds, no sensors) is scored from RPE × duration.
    """
    validate_answers(rpe, feel, pain, pain_note)
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound("refuse_activity_does_not_exist")
    if activity.user_id != athlete_id:
        raise PermissionDenied("refuse_only_athlete_answers_check_in_their_session")
    kept = (await dedupe.group_of(session, activity)).kept
    workout = await matching.matched_workout(session, kept.id)
    for target in (kept, workout):
        if target is None:
            continue
        if rpe is not None:
            target.rpe = rpe
        if feel is not None:
            target.feel = feel
        if pain is not None:
            target.pain = pain
        if pain_note:
            target.pain_note = pain_note
    if rpe is not None and kept.load_source in (None, "rpe"):
        await rescore(session, kept)
        await matching.match_activity(session, kept)
        await training_load.recompute_through_today(session, clock, athlete_id, kept.local_date)
    await _withdraw_check_in_cards(session, athlete_id, {activity.id, kept.id})
    await session.flush()
    relationship = await active_relationship_of_athlete(session, athlete_id)
    if relationship is not None and not kept.is_private:
        answers = {"rpe": rpe, "feel": feel, "pain": pain, "pain_note": pain_note}
        fingerprint = hashlib.sha256(repr(sorted(answers.items())).encode()).hexdigest()[:16]
        await notifications.notify(
            session,
            clock,
            recipient_id=relationship.coach_id,
            payload=CheckInPayload(
                athlete_id=athlete_id,
                activity_id=kept.id,
                workout_id=workout.id if workout else None,
                name=kept.name,
                local_date=kept.local_date,
                rpe=rpe,
                feel=feel,
                pain=pain,
                pain_note=pain_note,
            ),
            key=f"activity:{kept.id}:check_in:coach:{fingerprint}",
        )
    return kept


async def _withdraw_check_in_cards(
    session: AsyncSession, athlete_id: int, activity_ids: set[int]
) -> None:
    """Answered already: a check-in card still waiting in the outbox must not ask again."""
    keys = [f"activity:{i}:check_in" for i in activity_ids]
    waiting = await session.scalars(
        select(Notification).where(
            Notification.recipient_id == athlete_id,
            Notification.idempotency_key.in_(keys),
            Notification.status == NotificationStatus.PENDING,
        )
    )
    for row in list(waiting):
        await session.delete(row)
