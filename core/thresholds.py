"""Athlete thresholds with history: each value holds from its date until the next entry."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.coaching import require_permission
from core.db.models import AthleteThreshold
from core.enums import Permission
from core.errors import InvalidInput
from core.metrics import Thresholds

# Plausible physiological ranges: a typo (FTP 2500) is refused, not stored.
_RANGES: dict[str, tuple[float, float]] = {
    "ftp_w": (30, 700),
    "lthr_bpm": (80, 220),
    "max_hr_bpm": (100, 240),
    "rest_hr_bpm": (25, 120),
    "threshold_pace_s_per_km": (120, 900),
    "css_s_per_100m": (50, 300),
    "weight_kg": (25, 250),
}
_FIELDS = (*_RANGES, "sex")


async def set_thresholds(
    session: AsyncSession, actor_id: int, athlete_id: int, valid_from: date, **values: Any
) -> AthleteThreshold:
    """Record new values from `valid_from`; earlier history is kept."""
    await require_permission(session, actor_id, athlete_id, Permission.EDIT_THRESHOLDS)
    for name, value in values.items():
        if name not in _FIELDS:
            raise InvalidInput(f"Unknown threshold “{name}”.")
        if value is None:
            continue
        if name == "sex":
            if value not in ("m", "f"):
                raise InvalidInput("Sex is m or f (it selects the TRIMP coefficients).")
            continue
        low, high = _RANGES[name]
        if not low <= float(value) <= high:
            raise InvalidInput(f"{name.replace('_', ' ')} must be between {low:g} and {high:g}.")
    row = await session.scalar(
        select(AthleteThreshold).where(
            AthleteThreshold.user_id == athlete_id, AthleteThreshold.valid_from == valid_from
        )
    )
    if row is None:
        # A new entry starts from the previous values, changing only what was given.
        previous = await _row_on(session, athlete_id, valid_from)
        row = AthleteThreshold(user_id=athlete_id, valid_from=valid_from)
        for name in _FIELDS:
            setattr(row, name, getattr(previous, name) if previous else None)
        session.add(row)
    for name, value in values.items():
        if value is not None:
            setattr(row, name, value)
    await session.flush()
    return row


async def _row_on(session: AsyncSession, athlete_id: int, day: date) -> AthleteThreshold | None:
    return await session.scalar(
        select(AthleteThreshold)
        .where(AthleteThreshold.user_id == athlete_id, AthleteThreshold.valid_from <= day)
        .order_by(AthleteThreshold.valid_from.desc())
        .limit(1)
    )


async def thresholds_on(session: AsyncSession, athlete_id: int, day: date) -> Thresholds:
    """The thresholds valid on `day` (empty when none were entered yet)."""
    row = await _row_on(session, athlete_id, day)
    if row is None:
        return Thresholds()
    names = {f.name for f in fields(Thresholds)}
    return Thresholds(**{n: getattr(row, n) for n in _FIELDS if n in names})
