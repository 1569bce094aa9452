"""People, their chat identities and their coaching relationships."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.models.base import Base, Timestamped


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default="athlete")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    units: Mapped[str] = mapped_column(String(16), default="metric")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    # Messages wait while the person's local clock is inside [start, end).
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    reminder_evening_at: Mapped[time | None] = mapped_column(Time, default=time(20, 0))
    reminder_morning_at: Mapped[time | None] = mapped_column(Time, default=time(7, 0))

    identities: Mapped[list[ChatIdentity]] = relationship(back_populates="user")


class ChatIdentity(Timestamped, Base):
    """One account of a person on one chat platform; a person may have several."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    # Slack team id; "" elsewhere (NULLs would defeat the unique constraint).
    workspace_id: Mapped[str] = mapped_column(String(64), default="")
    platform_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the platform says the person blocked us; delivery stops trying.
    unreachable_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="identities")


class LinkCode(Timestamped, Base):
    """One-time code that attaches a second chat identity to an existing person."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class LinkAttempt(Timestamped, Base):
    """A wrong link code typed by one chat identity: the recent ones limit guessing."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64), default="")
    platform_user_id: Mapped[str] = mapped_column(String(64), index=True)


class CoachProfile(Timestamped, Base):
    __tablename__ = "coach_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str] = mapped_column(Text, default="")
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_athletes: Mapped[int] = mapped_column(Integer, default=30)
    accepting_new: Mapped[bool] = mapped_column(Boolean, default=True)


class CoachingRelationship(Timestamped, Base):
    __tablename__ = "coaching_relationships"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    permissions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    # Slack thread where this athlete's activities and comments are mirrored for the coach.
    slack_channel_id: Mapped[str | None] = mapped_column(String(64))
    # The coach's digest leaves this athlete out through this date (coach's local day).
    snoozed_until: Mapped[date | None] = mapped_column()


class Invitation(Timestamped, Base):
    """A single-use, expiring code a coach hands to an athlete."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    permissions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declined_at: Mapped[datetime | None] = mapped_column()
