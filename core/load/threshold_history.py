"""Athlete thresholds with history: each value holds from its date until the next entry.

Before the first entry nothing was entered, but an athlete who sets an FTP today and then
sends last year's files means that FTP: an activity dated before every entry is scored
with the earliest one, and says so (`ThresholdsInForce.assumed`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.coaching.relationships import require_permission
from core.db.models import AthleteThreshold
from core.enums import Permission
from core.errors import InvalidInput
from core.metrics import Thresholds

# Plausible physiological ranges: a typo (FTP 2500) is refused, not stored. Public:
# `core.load.threshold_entry` reads typed values against the same ranges.
RANGES: dict[str, tuple[float, float]] = {
    "ftp_w": (30, 700),
    "lthr_bpm": (80, 220),
    "max_hr_bpm": (100, 240),
    "rest_hr_bpm": (25, 120),
    "threshold_pace_s_per_km": (120, 900),
    "css_s_per_100m": (50, 300),
    "weight_kg": (25, 250),
}
_FIELDS = (*RANGES, "sex")
# The refusal of a value outside RANGES, naming the threshold and its stored unit.
OUT_OF_RANGE: dict[str, str] = {
    "ftp_w": "refuse_threshold_range_ftp_w",
    "lthr_bpm": "refuse_threshold_range_lthr_bpm",
    "max_hr_bpm": "refuse_threshold_range_max_hr_bpm",
    "rest_hr_bpm": "refuse_threshold_range_rest_hr_bpm",
    "threshold_pace_s_per_km": "refuse_threshold_range_threshold_pace_s_per_km",
    "css_s_per_100m": "refuse_threshold_range_css_s_per_100m",
    "weight_kg": "refuse_threshold_range_weight_kg",
}


async def set_thresholds(
    session: AsyncSession, actor_id: int, athlete_id: int, valid_from: date, **values: Any
) -> AthleteThreshold:
    """Record new values from `valid_from`; earlier history is kept."""
    await require_permission(session, actor_id, athlete_id, Permission.EDIT_THRESHOLDS)
    for name, value in values.items():
        if name not in _FIELDS:
            raise InvalidInput("refuse_unknown_threshold", name=name)
        if value is None:
            continue
        if name == "sex":
            if value not in ("m", "f"):
                raise InvalidInput("refuse_sex_m_or_f_selects_trimp_coefficients")
            continue
        low, high = RANGES[name]
        if not low <= float(value) <= high:
            raise InvalidInput(OUT_OF_RANGE[name], low=low, high=high)
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


async def _earliest_row(session: AsyncSession, athlete_id: int) -> AthleteThreshold | None:
    return await session.scalar(
        select(AthleteThreshold)
        .where(AthleteThreshold.user_id == athlete_id)
        .order_by(AthleteThreshold.valid_from)
        .limit(1)
    )


def _values(row: AthleteThreshold | None) -> Thresholds:
    if row is None:
        return Thresholds()
    names = {f.name for f in fields(Thresholds)}
    return Thresholds(**{n: getattr(row, n) for n in _FIELDS if n in names})


async def thresholds_on(session: AsyncSession, athlete_id: int, day: date) -> Thresholds:
    """The thresholds entered as valid on `day` (empty when none were entered by then)."""
    return _values(await _row_on(session, athlete_id, day))


@dataclass(frozen=True)
class ThresholdsInForce:
    """What an activity on some day is scored with, and where that came from."""

    values: Thresholds
    valid_from: date | None  # the entry's date; None when the athlete entered none
    assumed: bool  # True: no entry was valid on the day, the earliest later one is used


async def thresholds_for_scoring(
    session: AsyncSession, athlete_id: int, day: date
) -> ThresholdsInForce:
    """The entry valid on `day`, else the earliest later one (marked assumed)."""
    row = await _row_on(session, athlete_id, day)
    if row is not None:
        return ThresholdsInForce(_values(row), row.valid_from, assumed=False)
    row = await _earliest_row(session, athlete_id)
    if row is None:
        return ThresholdsInForce(Thresholds(), None, assumed=False)
    return ThresholdsInForce(_values(row), row.valid_from, assumed=True)


async def scored_by_entry_from(
    session: AsyncSession, athlete_id: int, valid_from: date
) -> date | None:
    """The first activity day an entry dated `valid_from` scores: that date, or None (every
    earlier day too) when no entry comes before it, since earlier days assume the earliest."""
    earliest = await _earliest_row(session, athlete_id)
    if earliest is None or earliest.valid_from >= valid_from:
        return None
    return valid_from
