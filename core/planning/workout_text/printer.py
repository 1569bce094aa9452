"""Printing a stored structure back in the workout text, so that reading the print gives
the very same structure (tests/core/planning/test_workout_text.py checks it on generated
workouts).

What reading would put back by itself is left out: the kind a step's place gives, the
target type the sport gives a bare `%` or `Z2`. Every number is checked against the reader's
own arithmetic (`4m30s`, `1mi`, `4:15/km`), and written plainly in seconds or metres when
the short form would not give the same float back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.planning.structure import METRES_PER_MILE, METRES_PER_YARD
from core.planning.workout_text import syntax
from core.planning.workout_text.reader import extent_of, number, pace_seconds
from core.planning.workout_text.syntax import Family


def print_workout(
    structure: list[dict[str, Any]], sport: str | None = None, *, with_sport: bool = False
) -> str:
    """The text of a stored structure, read with `sport`'s rules (`with_sport`: start with
    "run: " so the text alone says it)."""
    fam = syntax.family(sport)
    text = "; ".join(_list(structure, fam, in_repeat=False))
    return f"{sport}: {text}" if with_sport and sport else text


def _list(blocks: list[dict[str, Any]], fam: Family, *, in_repeat: bool) -> list[str]:
    has_repeat = any("repeat" in b for b in blocks)
    out: list[str] = []
    for index, block in enumerate(blocks):
        if "repeat" in block:
            out.append(_repeat(block, fam))
        else:
            place = syntax.inferred_kind(index, len(blocks), in_repeat, has_repeat)
            out.append(_step(block, fam, place))
    return out


def _repeat(block: dict[str, Any], fam: Family) -> str:
    steps = block["steps"]
    if len(steps) == 1 and "repeat" not in steps[0]:
        return f"{block['repeat']}x{_step(steps[0], fam, 'interval')}"
    return f"{block['repeat']}x(" + " / ".join(_list(steps, fam, in_repeat=True)) + ")"


def _step(step: dict[str, Any], fam: Family, place: str) -> str:
    if "duration_s" in step:
        extent = _duration(step["duration_s"], fam)
    else:
        extent = _distance(step["distance_m"], fam)
    bare = not ({"target", "cadence", "note"} & step.keys())
    if step["kind"] == "rest" and bare:
        return f"r{extent}"
    parts = [extent]
    if step["kind"] != place:
        parts.append(syntax.KIND_WORD[step["kind"]])
    if "target" in step:
        parts.append(_target(step["target"], fam))
    if "cadence" in step:
        parts.append(_span(step["cadence"]["low"], step["cadence"]["high"]) + "rpm")
    if "note" in step:
        parts.append(_note(step["note"]))
    return " ".join(parts)


def num(value: float) -> str:
    """The shortest plain decimal that reads back as exactly `value` ("5", "0.00001")."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _span(low: float, high: float) -> str:
    return num(low) if low == high else f"{num(low)}-{num(high)}"


def _reads_as(amount: str, unit: str, fam: Family, expected: tuple[str, float]) -> bool:
    return extent_of(amount, unit, fam) == expected


def _duration(seconds: float, fam: Family) -> str:
    minute = "m" if fam == "ride" else "min"
    if seconds.is_integer():
        whole = int(seconds)
        hours, rest = divmod(whole, 3600)
        if rest == 0:
            return f"{hours}h"
        if whole % 60 == 0:
            return f"{hours}h{rest // 60}{minute}" if hours else f"{whole // 60}{minute}"
        if 120 <= whole < 3600:
            return f"{whole // 60}{minute}{whole % 60}s"
    return f"{num(seconds)}s"


def _distance(metres: float, fam: Family) -> str:
    expected = ("distance_m", metres)
    metre_unit = "m" if fam == "swim" or (fam == "run" and metres >= 100) else "mtr"
    # (unit, decimals tried), the most natural first: "5km", "1mi", "400m", "400yd", "0.4km".
    units: dict[str, list[tuple[str, tuple[int, ...]]]] = {
        "swim": [("m", (0,)), ("yd", (0, 1)), ("m", (1, 2))],
        "run": [("km", (0,)), ("mi", (0, 1, 2)), (metre_unit, (0, 1)), ("km", (1, 2, 3))],
        "ride": [("km", (0, 1, 2, 3)), ("mi", (0, 1, 2, 3))],
    }
    factors = {"m": 1.0, "mtr": 1.0, "km": 1000.0, "mi": METRES_PER_MILE, "yd": METRES_PER_YARD}
    for unit, tries in units[fam]:
        for decimals in tries:
            amount = num(round(metres / factors[unit], decimals))
            if _reads_as(amount, unit, fam, expected):
                return f"{amount}{unit}"
    return f"{num(metres)}{metre_unit}"


_PERCENT_WORD = {"power": "ftp", "heart_rate": "hr", "rpe": "rpe", "cadence": "cadence"}
_ZONE_WORD = {"power": " power", "heart_rate": " hr", "pace": " pace"}
_ABSOLUTE_UNIT = {"power": "W", "heart_rate": "bpm", "cadence": "rpm"}


def _target(target: dict[str, Any], fam: Family) -> str:
    kind, unit = target["type"], target.get("unit", "percent")
    low, high = target["low"], target["high"]
    if target.get("ramp") == "down":
        low, high = high, low
    ramp = "ramp " if target.get("ramp") else ""
    if unit == "zone":
        word = "" if kind == syntax.default_type(fam) else _ZONE_WORD[kind]
        zones = f"Z{int(low)}" if low == high else f"Z{int(low)}-Z{int(high)}"
        return zones + word
    if unit == "offset":
        first = f"css{_signed(low)}" if low or high else "css"
        return f"{first}s" if low == high else f"css{_signed(low)}..{_signed(high)}s"
    if unit == "percent":
        word = "" if kind == syntax.default_type(fam) else _PERCENT_WORD.get(kind, "")
        if kind == "pace" and word == "" and kind != syntax.default_type(fam):
            word = "pace"
        return f"{ramp}{_span(low, high)}%{word}"
    if kind == "rpe":
        return f"{ramp}rpe{_span(low, high)}"
    if kind == "pace":
        per = target.get("per")
        if per is None:
            return f"{ramp}{_span(low, high)} pace"
        return f"{ramp}{_pace_span(low, high)}/{per}"
    return f"{ramp}{_span(low, high)}{_ABSOLUTE_UNIT[kind]}"


def _signed(value: float) -> str:
    return f"-{num(-value)}" if value < 0 else f"+{num(value)}"


def _pace_span(low: float, high: float) -> str:
    """ "4:05-4:15", or "245.5s-255.25s" when m:ss would not read back exactly."""
    texts = [_clock(low), _clock(high)]
    if all(texts):
        return texts[0] if low == high else f"{texts[0]}-{texts[1]}"
    return f"{num(low)}s" if low == high else f"{num(low)}s-{num(high)}s"


def _clock(seconds: float) -> str:
    minutes = int(seconds // 60)
    rest = num(seconds - minutes * 60)
    whole = rest.split(".")[0]
    text = f"{minutes}:{'0' * (2 - len(whole))}{rest}"
    return text if pace_seconds(text) == seconds and number(rest) < 60 else ""


def _note(note: str) -> str:
    escaped = note.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
