"""Which Telegram message stands for a workout, activity or comment (`MessageRef` rows).

A reply that asks to be threaded (`Reply.thread`) answers the latest message standing
for its subject in that chat; a reply that `stands_for` a subject is remembered once
sent, so the person's Telegram reply to it reaches the same subject.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.types import Subject
from core.db.models import MessageRef
from core.db.models.base import utcnow
from core.enums import Platform


def _subject_filter(subject: Subject) -> list[object]:
    return [
        MessageRef.workout_id == subject.workout_id
        if subject.workout_id is not None
        else MessageRef.workout_id.is_(None),
        MessageRef.activity_id == subject.activity_id
        if subject.activity_id is not None
        else MessageRef.activity_id.is_(None),
        MessageRef.comment_id == subject.comment_id
        if subject.comment_id is not None
        else MessageRef.comment_id.is_(None),
    ]


async def message_for(session: AsyncSession, chat_id: str, subject: Subject) -> int | None:
    """The latest Telegram message in `chat_id` standing for `subject`, if any."""
    found = await session.scalar(
        select(MessageRef.message_id)
        .where(
            MessageRef.platform == Platform.TELEGRAM,
            MessageRef.chat_id == chat_id,
            *_subject_filter(subject),
        )
        .order_by(MessageRef.id.desc())
        .limit(1)
    )
    return int(found) if found is not None else None


async def remember(
    session: AsyncSession,
    *,
    chat_id: str,
    message_id: int,
    subject: Subject,
    user_id: int | None,
    notification_id: int | None = None,
) -> None:
    """Record what the message stands for; an edited card keeps its id and its meaning.

    One "INSERT ... ON CONFLICT DO NOTHING" on (platform, chat_id, message_id) instead of
    a look-up then an insert: this runs after every card sent.
    """
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(MessageRef)
        .values(
            platform=str(Platform.TELEGRAM),
            chat_id=chat_id,
            message_id=str(message_id),
            user_id=user_id,
            workout_id=subject.workout_id,
            activity_id=subject.activity_id,
            comment_id=subject.comment_id,
            notification_id=notification_id,
            kind=_kind(subject),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["platform", "chat_id", "message_id"])
    )


def _kind(subject: Subject) -> str:
    if subject.workout_id is not None:
        return "workout"
    return "activity" if subject.activity_id is not None else "comment"
