"""Thresholds as a person types and reads them: which ones, their units, what is valid.

`core.load.threshold_history` keeps the history (each value holds from its date) and applies it;
this module is the rule for entering one: `parse(field, text)` reads "250", "250 W",
"4:15", "1:45/100m", "70,5 kg" or "154 lb" into the stored unit, and
`set_one(...)` stores it from today after the range check and the checks between
fields (resting < threshold < maximum heart rate). A refusal is a `ThresholdRefused`
naming the field, the problem and the valid range, so each door words it in the
person's language. `current(...)` gives each field's value and the date it holds from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.ingest.scoring import change_thresholds
from core.clock import Clock
from core.db.models import AthleteThreshold
from core.errors import InvalidInput
from core.load import threshold_history as thresholds

LB_IN_KG = 0.45359237


class Kind(StrEnum):
    NUMBER = "number"  # watts, bpm, kg
    PACE = "pace"  # seconds, typed and shown as m:ss


@dataclass(frozen=True)
class Field:
    key: str  # the short name in buttons: "ftp"
    column: str  # the AthleteThreshold column: "ftp_w"
    kind: Kind
    low: float
    high: float
    example: str  # what the prompt shows: "250"


# In the order onboarding asks them: the ones that score the most sessions first.
FIELDS: tuple[Field, ...] = tuple(
    Field(key, column, kind, *thresholds.RANGES[column], example)
    for key, column, kind, example in (
        ("ftp", "ftp_w", Kind.NUMBER, "250"),
        ("lthr", "lthr_bpm", Kind.NUMBER, "170"),
        ("pace", "threshold_pace_s_per_km", Kind.PACE, "4:15"),
        ("css", "css_s_per_100m", Kind.PACE, "1:45"),
        ("maxhr", "max_hr_bpm", Kind.NUMBER, "190"),
        ("resthr", "rest_hr_bpm", Kind.NUMBER, "50"),
        ("weight", "weight_kg", Kind.NUMBER, "70"),
    )
)
BY_KEY = {f.key: f for f in FIELDS}
_PACE = re.compile(r"^(\d{1,2})[:'.](\d{2})$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
# Units a person may type after the number; they are the field's own unit (or lb).
_SUFFIXES = ("/100m", "/100 m", "/km", "bpm", "kg", "w", "/mi")


class Problem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NOT_A_PACE = "not_a_pace"
    OUT_OF_RANGE = "out_of_range"
    HR_ORDER = "hr_order"  # resting < threshold < maximum heart rate


class ThresholdRefused(InvalidInput):
    def __init__(self, field: Field, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{field.key}: {problem} {detail}".strip())
        self.field = field
        self.problem = problem
        self.detail = detail


def field(key: str) -> Field:
    found = BY_KEY.get(key)
    if found is None:
        raise InvalidInput("refuse_unknown_threshold", name=key)
    return found


def parse(entry: Field, text: str) -> float:
    """The value typed for `entry`, in its stored unit; ThresholdRefused if unreadable or
    outside the plausible range."""
    cleaned = " ".join(text.strip().lower().split())
    pounds = cleaned.endswith(("lb", "lbs")) and entry.key == "weight"
    cleaned = cleaned.removesuffix("lbs").removesuffix("lb")
    for suffix in _SUFFIXES:
        cleaned = cleaned.removesuffix(suffix).strip()
    if entry.kind is Kind.PACE:
        match = _PACE.match(cleaned)
        if not match or int(match.group(2)) > 59:
            raise ThresholdRefused(entry, Problem.NOT_A_PACE)
        value = float(int(match.group(1)) * 60 + int(match.group(2)))
    else:
        if not _NUMBER.match(cleaned):
            raise ThresholdRefused(entry, Problem.NOT_A_NUMBER)
        value = float(cleaned.replace(",", "."))
        if pounds:
            value = round(value * LB_IN_KG, 1)
    if not entry.low <= value <= entry.high:
        raise ThresholdRefused(entry, Problem.OUT_OF_RANGE)
    return value


async def set_one(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    athlete_id: int,
    today: date,
    entry: Field,
    value: float,
) -> None:
    """Store `value` for `entry` from `today`, after the checks between heart rates, and
    rescore the sessions it applies to (`core.activities.ingest.scoring.change_thresholds`)."""
    now = await thresholds.thresholds_on(session, athlete_id, today)
    rates = {
        "rest_hr_bpm": now.rest_hr_bpm,
        "lthr_bpm": now.lthr_bpm,
        "max_hr_bpm": now.max_hr_bpm,
    }
    if entry.column in rates:
        rates[entry.column] = value
        ordered = (rates["rest_hr_bpm"], rates["lthr_bpm"], rates["max_hr_bpm"])
        known = [rate for rate in ordered if rate]
        if any(a >= b for a, b in pairwise(known)):
            raise ThresholdRefused(entry, Problem.HR_ORDER)
    await change_thresholds(session, clock, actor_id, athlete_id, today, **{entry.column: value})


@dataclass(frozen=True)
class Current:
    field: Field
    value: float | None
    since: date | None  # the first day of the run of entries holding this value


async def current(session: AsyncSession, athlete_id: int, today: date) -> list[Current]:
    """Each field's value on `today` and since when it has held (None: never entered)."""
    rows = list(
        await session.scalars(
            select(AthleteThreshold)
            .where(AthleteThreshold.user_id == athlete_id, AthleteThreshold.valid_from <= today)
            .order_by(AthleteThreshold.valid_from)
        )
    )
    out: list[Current] = []
    for entry in FIELDS:
        value: float | None = None
        since: date | None = None
        for row in rows:
            held = getattr(row, entry.column)
            if held != value:
                value, since = held, row.valid_from
        out.append(Current(entry, value, since if value is not None else None))
    return out


def show(entry: Field, value: float) -> str:
    """A stored value as the person typed it: "250", "4:15"."""
    if entry.kind is Kind.PACE:
        return f"{int(value) // 60}:{int(value) % 60:02d}"
    return f"{value:g}"
