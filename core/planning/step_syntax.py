"""The compact step syntax coaches type in the plan modal, turned into workout structure.

One block per line:

    15min warmup
    4x(5min interval @ 105-110% power, 3min recovery)
    2km steady @ 140-150 heart_rate
    10min cooldown

An extent is a time (`90s`, `15min`, `1.5h`) or a distance (`400m`, `2km`); a target is
`@ LOW-HIGH[%] TYPE` (`%` = percent of the athlete's threshold). The result goes through
core.planning.structure.validate_structure, which owns the rules; this module only reads
the text, so its errors name the line the coach has to fix. A small hand-written reader
because no library knows this notation.
"""

from __future__ import annotations

import re
from typing import Any

from core.errors import InvalidFields, Problem

_REPEAT = re.compile(r"^(\d+)\s*[x×]\s*\((.+)\)$", re.IGNORECASE)
_STEP = re.compile(
    r"^(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>s|sec|min|h|m|km)\s+(?P<kind>[a-z_]+)"
    r"(?:\s*@\s*(?P<low>\d+(?:\.\d+)?)\s*-\s*(?P<high>\d+(?:\.\d+)?)\s*(?P<pct>%)?\s*"
    r"(?P<target>[a-z_ ]+))?$",
    re.IGNORECASE,
)
_SECONDS = {"s": 1, "sec": 1, "min": 60, "h": 3600}
_METRES = {"m": 1, "km": 1000}


def parse_steps(text: str) -> list[dict[str, Any]]:
    """Structure (a list of steps and repeats) from the modal's text; [] for no text."""
    blocks: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        repeat = _REPEAT.match(line)
        if repeat:
            steps = [_step(part, number) for part in repeat.group(2).split(",")]
            blocks.append({"repeat": int(repeat.group(1)), "steps": steps})
        else:
            blocks.append(_step(line, number))
    return blocks


def _step(text: str, line: int) -> dict[str, Any]:
    match = _STEP.match(text.strip())
    if match is None:
        raise InvalidFields(
            [Problem("steps", "bad_line", params={"line": line, "text": text.strip()})],
            f"Line {line}: “{text.strip()}” is not a step.",
        )
    amount, unit = float(match["amount"]), match["unit"].lower()
    step: dict[str, Any] = {"kind": match["kind"].lower()}
    if unit in _SECONDS:
        step["duration_s"] = amount * _SECONDS[unit]
    else:
        step["distance_m"] = amount * _METRES[unit]
    if match["target"]:
        step["target"] = {
            "type": "_".join(match["target"].lower().split()),
            "unit": "percent" if match["pct"] else "absolute",
            "low": float(match["low"]),
            "high": float(match["high"]),
        }
    return step
