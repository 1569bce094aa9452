"""Comments, the notifications outbox, preferences, and references to chat messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Timestamped


class Comment(Timestamped, Base):
    """A comment on a workout or an activity of one athlete."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workout_id: Mapped[int | None] = mapped_column(
        ForeignKey("workouts.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)


class MessageRef(Timestamped, Base):
    """A chat message we sent or received that stands for a workout, activity or comment.

    It lets a thread be mirrored: a reply to this message (Telegram reply, Slack thread)
    is attached to the same workout/activity, and an edit or deletion can reach it.
    """

    __tablename__ = "message_refs"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))  # Telegram message_id / Slack ts
    thread_id: Mapped[str | None] = mapped_column(String(64))  # Slack thread_ts
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    athlete_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    workout_id: Mapped[int | None] = mapped_column(
        ForeignKey("workouts.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(32))


class Notification(Timestamped, Base):
    """Outbox row: written in the transaction of the change that caused it."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Same key → same message: a retried task or a replayed event never notifies twice.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    platform: Mapped[str | None] = mapped_column(String(16))
    external_message_id: Mapped[str | None] = mapped_column(String(64))


class NotificationPreference(Base):
    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))  # core.enums.DeliveryMode


class PersonSchedule(Timestamped, Base):
    """A per-person recurring job (a reminder at 07:00 local) and its id in the scheduler."""

    __tablename__ = "person_schedules"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    cron: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    schedule_id: Mapped[str | None] = mapped_column(String(64))


class InboundUpdate(Timestamped, Base):
    """Chat updates already handled (Telegram update_id, Slack event id): redeliveries no-op."""

    __tablename__ = "inbound_updates"
    __table_args__ = (UniqueConstraint("platform", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128))
