"""Plans, templates, workouts, activities and their streams, daily load."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Timestamped, utcnow


class PlanTemplate(Timestamped, Base):
    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    weeks: Mapped[int] = mapped_column(Integer)


class TemplateWorkout(Base):
    __tablename__ = "template_workouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("plan_templates.id", ondelete="CASCADE"), index=True
    )
    week: Mapped[int] = mapped_column(Integer)  # 0-based week offset
    day: Mapped[int] = mapped_column(Integer)  # 0 = first day of that week
    sport: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    structure: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    planned_duration_s: Mapped[float | None] = mapped_column(Float)
    planned_distance_m: Mapped[float | None] = mapped_column(Float)
    planned_load: Mapped[float | None] = mapped_column(Float)
    key_workout: Mapped[bool] = mapped_column(Boolean, default=False)


class TrainingPlan(Timestamped, Base):
    __tablename__ = "training_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_templates.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[date] = mapped_column(Date)


class Workout(Timestamped, Base):
    __tablename__ = "workouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_plans.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sport: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scheduled_date: Mapped[date] = mapped_column(Date, index=True)  # athlete's local date
    structure: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    planned_duration_s: Mapped[float | None] = mapped_column(Float)
    planned_distance_m: Mapped[float | None] = mapped_column(Float)
    planned_load: Mapped[float | None] = mapped_column(Float)
    key_workout: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    completed_at: Mapped[datetime | None] = mapped_column()
    athlete_notes: Mapped[str | None] = mapped_column(Text)
    rpe: Mapped[int | None] = mapped_column(Integer)
    feel: Mapped[int | None] = mapped_column(Integer)  # 1 (awful) .. 5 (great)
    pain: Mapped[bool] = mapped_column(Boolean, default=False)
    pain_note: Mapped[str | None] = mapped_column(Text)
    coach_feedback: Mapped[str | None] = mapped_column(Text)
    matched_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    match_is_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    compliance_pct: Mapped[float | None] = mapped_column(Float)
    compliance_color: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Activity(Timestamped, Base):
    """A recorded session. Copies of one session from several sources point at the kept one."""

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("user_id", "source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # core.enums.ActivitySource
    source_id: Mapped[str] = mapped_column(String(128))  # provider activity id / file hash
    sport: Mapped[str] = mapped_column(String(24))
    name: Mapped[str | None] = mapped_column(String(200))
    start_utc: Mapped[datetime] = mapped_column(index=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    elapsed_s: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    distance_from_gps: Mapped[bool] = mapped_column(Boolean, default=False)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float)
    elevation_loss_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    avg_power: Mapped[float | None] = mapped_column(Float)
    max_power: Mapped[float | None] = mapped_column(Float)
    weighted_power: Mapped[float | None] = mapped_column(Float)
    avg_speed: Mapped[float | None] = mapped_column(Float)
    max_speed: Mapped[float | None] = mapped_column(Float)
    avg_cadence: Mapped[float | None] = mapped_column(Float)
    calories: Mapped[float | None] = mapped_column(Float)
    intensity: Mapped[float | None] = mapped_column(Float)
    load: Mapped[float | None] = mapped_column(Float)
    load_source: Mapped[str | None] = mapped_column(String(16))
    trimp: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_quality: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rpe: Mapped[int | None] = mapped_column(Integer)
    feel: Mapped[int | None] = mapped_column(Integer)
    pain: Mapped[bool] = mapped_column(Boolean, default=False)
    pain_note: Mapped[str | None] = mapped_column(Text)
    # Set on a duplicate copy: the activity that was kept for this session.
    primary_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    deleted_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ActivityStream(Base):
    """Streams stored compactly: one compressed numpy archive per activity, not JSON numbers."""

    __tablename__ = "activity_streams"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    n_samples: Mapped[int] = mapped_column(Integer)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DailyLoad(Base):
    """One athlete's load and performance-management values on one local day."""

    __tablename__ = "daily_loads"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    load: Mapped[float] = mapped_column(Float, default=0.0)
    fitness: Mapped[float] = mapped_column(Float, default=0.0)
    fatigue: Mapped[float] = mapped_column(Float, default=0.0)
    form: Mapped[float] = mapped_column(Float, default=0.0)
    ramp: Mapped[float | None] = mapped_column(Float)
    monotony: Mapped[float | None] = mapped_column(Float)
    strain: Mapped[float | None] = mapped_column(Float)
