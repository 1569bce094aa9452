"""Structured workouts: validated steps, repeats, durations/distances and targets.

Validation uses pydantic models so a coach's modal, a template file and the bot all get the
same precise error messages; the stored form is the plain JSON those models dump.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.errors import InvalidFields, Problem

StepKind = Literal["warmup", "interval", "recovery", "cooldown", "steady", "rest"]
TargetType = Literal["power", "heart_rate", "pace", "rpe", "cadence"]


class Target(BaseModel):
    """A range; `unit="percent"` means percent of the athlete's threshold for `type`."""

    model_config = ConfigDict(extra="forbid")

    type: TargetType
    unit: Literal["percent", "absolute"] = "percent"
    low: float = Field(gt=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        # Custom error types: `validate_structure` turns each into a sentence by its code.
        if self.high < self.low:
            raise PydanticCustomError("target_order", "target high must be at least target low")
        if self.unit == "percent" and self.high > 250:
            raise PydanticCustomError(
                "target_percent", "a percent-of-threshold target above 250 % is not plausible"
            )
        if self.type == "rpe" and self.high > 10:
            raise PydanticCustomError("rpe_range", "RPE targets go from 1 to 10")
        return self


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    duration_s: float | None = Field(default=None, gt=0, le=24 * 3600)
    distance_m: float | None = Field(default=None, gt=0, le=1_000_000)
    target: Target | None = None
    note: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_extent(self) -> Step:
        if (self.duration_s is None) == (self.distance_m is None):
            raise PydanticCustomError(
                "extent", "a step has either a duration or a distance, not both or neither"
            )
        return self


class Repeat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repeat: int = Field(ge=2, le=100)
    steps: list[Step] = Field(min_length=1, max_length=20)


def _block_kind(value: Any) -> str:
    """A block with a "repeat" key is a repeat, anything else a step: validating against the
    one it is meant to be gives its own errors, not both models' mixed together."""
    is_repeat = "repeat" in value if isinstance(value, dict) else hasattr(value, "repeat")
    return "repeat" if is_repeat else "step"


Block = Annotated[
    Annotated[Step, Tag("step")] | Annotated[Repeat, Tag("repeat")],
    Discriminator(_block_kind),
]
_STRUCTURE = TypeAdapter(list[Block])
# A step's field names as a person calls them (strings.py "part_<name>").
_PARTS = {
    "duration_s": "duration",
    "distance_m": "distance",
    "kind": "kind",
    "target": "target",
    "type": "target",
    "unit": "target",
    "low": "target",
    "high": "target",
    "note": "note",
    "repeat": "repeat",
    "steps": "steps",
}
# pydantic's error types, grouped into the codes a person reads a sentence for.
_CODES = {
    "missing": "missing",
    "extra_forbidden": "unknown_part",
    "literal_error": "choice",
    "greater_than": "too_small",
    "greater_than_equal": "at_least",
    "less_than_equal": "too_large",
    "too_short": "too_few",
    "too_long": "too_many",
    "string_too_long": "too_long_text",
    "float_parsing": "number",
    "float_type": "number",
    "int_parsing": "number",
    "int_type": "number",
    "int_from_float": "number",
    "model_type": "shape",
    "model_attributes_type": "shape",
    "dict_type": "shape",
    "list_type": "shape",
}

# Rough intensity of a step without a target, for load estimates of planned workouts.
_DEFAULT_INTENSITY = {
    "warmup": 0.6,
    "cooldown": 0.55,
    "recovery": 0.55,
    "rest": 0.0,
    "steady": 0.75,
    "interval": 0.95,
}


def validate_structure(raw: Any) -> list[dict[str, Any]]:
    """Return the canonical JSON form, or raise InvalidInput naming each problem."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InvalidFields(
            [Problem("steps", "shape")], "A workout's structure is a list of steps."
        )
    if len(raw) > 50:
        raise InvalidFields(
            [Problem("steps", "too_many_blocks", params={"limit": 50})],
            "A workout has at most 50 blocks.",
        )
    try:
        blocks = _STRUCTURE.validate_python(raw)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()[:5]]
        english = "; ".join(
            f"step {p.step}{' ' + p.part if p.part else ''}: {e['msg']}"
            for p, e in zip(problems, exc.errors()[:5], strict=True)
        )
        raise InvalidFields(problems, f"The workout steps are not valid: {english}.") from exc
    return [b.model_dump(exclude_none=True) for b in blocks]


def _problem(error: Any) -> Problem:
    """One pydantic error as a `Problem`: which step (by position), which part, what code."""
    loc = [p for p in error["loc"] if p not in ("step", "repeat") or isinstance(p, int)]
    positions = [str(p + 1) for p in loc if isinstance(p, int)]
    names = [p for p in loc if isinstance(p, str)]
    # The location interleaves the union's tags ("step", "repeat") with field names; a
    # repeat's own fields are named like its tag, so they are taken from the raw location.
    raw_names = [p for p in error["loc"][1:] if isinstance(p, str)]
    if raw_names[:1] == ["repeat"] and raw_names[1:2] in (["repeat"], ["steps"]):
        names = raw_names[1:2] + names
    part = next((_PARTS[n] for n in reversed(names) if n in _PARTS), "")
    params: dict[str, Any] = {}
    context = error.get("ctx") or {}
    for key in ("gt", "ge", "le", "max_length", "min_length", "expected"):
        if key in context:
            params["limit"] = context[key]
    if error["type"] == "extra_forbidden" and names:
        params["name"] = names[-1]
        part = ""
    code = _CODES.get(error["type"], error["type"])
    if code not in _KNOWN_CODES:
        code = "invalid"
    return Problem("steps", code, step=".".join(positions[:2]), part=part, params=params)


_KNOWN_CODES = frozenset(_CODES.values()) | {
    "extent",
    "target_order",
    "target_percent",
    "rpe_range",
}


def _flat_steps(structure: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    out: list[tuple[dict[str, Any], int]] = []
    for block in structure:
        if "repeat" in block:
            out.extend((step, block["repeat"]) for step in block["steps"])
        else:
            out.append((block, 1))
    return out


def total_duration_s(structure: list[dict[str, Any]]) -> float | None:
    """Sum of step durations; None when a distance step makes the total unknown."""
    total = 0.0
    for step, times in _flat_steps(structure):
        if "duration_s" not in step:
            return None
        total += step["duration_s"] * times
    return total or None


def total_distance_m(structure: list[dict[str, Any]]) -> float | None:
    total = 0.0
    for step, times in _flat_steps(structure):
        if "distance_m" not in step:
            return None
        total += step["distance_m"] * times
    return total or None


def estimate_load(structure: list[dict[str, Any]], duration_s: float | None) -> float | None:
    """Load of a planned workout: Σ hours × intensity² × 100 over its steps (TSS-style).

    Percent targets give the intensity directly (midpoint); otherwise the step kind's
    typical intensity is used. Without structure, a steady 0.7 over the planned duration.
    """
    steps = [(s, t) for s, t in _flat_steps(structure) if "duration_s" in s]
    if not steps:
        return round((duration_s / 3600) * 0.7**2 * 100, 1) if duration_s else None
    load = 0.0
    for step, times in steps:
        target = step.get("target")
        if (
            target
            and target.get("unit") == "percent"
            and target["type"] in ("power", "heart_rate", "pace")
        ):
            intensity = (target["low"] + target["high"]) / 200
        else:
            intensity = _DEFAULT_INTENSITY[step["kind"]]
        load += step["duration_s"] * times / 3600 * intensity**2 * 100
    return round(load, 1)


def describe(structure: list[dict[str, Any]]) -> list[str]:
    """One plain line per block, e.g. '4 × (5 min interval @ 105–110 % power, 3 min recovery)'."""
    return [
        f"{b['repeat']} × (" + ", ".join(_describe_step(s) for s in b["steps"]) + ")"
        if "repeat" in b
        else _describe_step(b)
        for b in structure
    ]


def _describe_step(step: dict[str, Any]) -> str:
    if "duration_s" in step:
        seconds = int(step["duration_s"])
        extent = (
            f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds // 60}:{seconds % 60:02d}"
        )
    else:
        metres = step["distance_m"]
        extent = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    text = f"{extent} {step['kind']}"
    target = step.get("target")
    if target:
        unit = "%" if target["unit"] == "percent" else ""
        label = target["type"].replace("_", " ")
        text += f" @ {target['low']:g}–{target['high']:g}{unit} {label}"
    return text
