from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.models.base import Base, Timestamped


class AthleteThreshold(Timestamped, Base):
    """Thresholds valid from a date until the next row's date (history, never overwritten)."""

    __tablename__ = "athlete_thresholds"
    __table_args__ = (UniqueConstraint("user_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    ftp_w: Mapped[float | None] = mapped_column(Float)
    lthr_bpm: Mapped[float | None] = mapped_column(Float)
    max_hr_bpm: Mapped[float | None] = mapped_column(Float)
    rest_hr_bpm: Mapped[float | None] = mapped_column(Float)
    threshold_pace_s_per_km: Mapped[float | None] = mapped_column(Float)
    css_s_per_100m: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(1))
