"""Comments between coach and athlete on a workout or an activity."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching.relationships import active_relationship_of_athlete, require_permission
from core.db.models import Activity, Comment, User, Workout
from core.enums import Permission
from core.errors import InvalidInput, NotFound
from core.outbox import notifications
from core.outbox.payloads import AthleteCommentPayload, CoachCommentPayload

MAX_COMMENT_LENGTH = 3000


async def _subject_athlete(
    session: AsyncSession, workout_id: int | None, activity_id: int | None
) -> int:
    if (workout_id is None) == (activity_id is None):
        raise InvalidInput("refuse_comment_workout_or_activity")
    if workout_id is not None:
        workout = await session.get(Workout, workout_id)
        if workout is None:
            raise NotFound("refuse_workout_does_not_exist")
        return workout.athlete_id
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound("refuse_activity_does_not_exist")
    return activity.user_id


async def add_comment(
    session: AsyncSession,
    clock: Clock,
    author_id: int,
    body: str,
    *,
    workout_id: int | None = None,
    activity_id: int | None = None,
) -> Comment:
    """Store the comment and notify the other side (athlete ↔ their coach) via the outbox."""
    text = (body or "").strip()
    if not text:
        raise InvalidInput("refuse_comment_cannot_be_empty")
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput("refuse_comment_too_long", max=MAX_COMMENT_LENGTH)
    athlete_id = await _subject_athlete(session, workout_id, activity_id)
    await require_permission(session, author_id, athlete_id, Permission.COMMENT)
    comment = Comment(
        athlete_id=athlete_id,
        author_id=author_id,
        workout_id=workout_id,
        activity_id=activity_id,
        body=text,
    )
    session.add(comment)
    await session.flush()
    author = await session.get_one(User, author_id)
    about = {
        "comment_id": comment.id,
        "author_id": author_id,
        "author_name": author.name,
        "athlete_id": athlete_id,
        "workout_id": workout_id,
        "activity_id": activity_id,
        "body": text,
    }
    if author_id != athlete_id:
        await notifications.notify(
            session,
            clock,
            recipient_id=athlete_id,
            payload=CoachCommentPayload.model_validate(about),
            key=f"comment:{comment.id}:athlete",
        )
    else:
        relationship = await active_relationship_of_athlete(session, athlete_id)
        if relationship is not None:
            await notifications.notify(
                session,
                clock,
                recipient_id=relationship.coach_id,
                payload=AthleteCommentPayload.model_validate(about),
                key=f"comment:{comment.id}:coach",
            )
    return comment


async def list_comments(
    session: AsyncSession,
    actor_id: int,
    *,
    workout_id: int | None = None,
    activity_id: int | None = None,
) -> list[Comment]:
    athlete_id = await _subject_athlete(session, workout_id, activity_id)
    await require_permission(session, actor_id, athlete_id, Permission.VIEW_ACTIVITIES)
    query = select(Comment).order_by(Comment.created_at, Comment.id)
    query = (
        query.where(Comment.workout_id == workout_id)
        if workout_id is not None
        else query.where(Comment.activity_id == activity_id)
    )
    return list(await session.scalars(query))
