"""Structured workouts: validated steps, repeats, durations/distances and targets.

Validation uses pydantic models so a coach's modal, a template file, the workout text
(core/planning/workout_text) and the bot all get the same precise error messages; the stored
form is the plain JSON those models dump (`validate_structure`, None fields left out).

The stored JSON, block by block (docs/workouts.md has the text a coach types for each):

- a step: `kind`, exactly one of `duration_s` / `distance_m` (metres; miles and yards are
  converted when read), an optional `target`, an optional secondary `cadence` (rpm, only
  next to a target of another type) and an optional free-text `note`;
- a repeat: `repeat` (how many rounds) and `steps`, each a step or a repeat (nested up to
  `MAX_DEPTH` repeats deep).

A target is a range `low`..`high` (low <= high) of `type` power / heart_rate / pace / rpe /
cadence, read by its `unit`:

- `percent`: percent of the athlete's threshold for the type: FTP (power), LTHR
  (heart_rate), threshold pace (pace: run) or CSS (pace: swim); for pace, above 100 % is
  faster (a percent of threshold speed);
- `absolute`: watts, bpm, rpm, RPE 1-10, or for pace seconds per `per` ("km", "mi", "100m",
  "100yd"; None in rows stored before `per` existed);
- `zone`: zones `low`..`high` of 1-7 of the type (power, heart_rate or pace);
- `offset`: seconds per 100 m added to the athlete's CSS (pace, swim; negative is faster).

`ramp` ("up" or "down") makes the target move over the step: "up" from low to high,
"down" from high to low; without it the target is held.
"""

from __future__ import annotations

from collections.abc import Iterator
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
TargetUnit = Literal["percent", "absolute", "zone", "offset"]
PacePer = Literal["km", "mi", "100m", "100yd"]
Ramp = Literal["up", "down"]

# Metres in one `per` of an absolute pace, and in the distance units a person types.
PACE_PER_M: dict[str, float] = {"km": 1000.0, "mi": 1609.344, "100m": 100.0, "100yd": 91.44}
METRES_PER_MILE = 1609.344
METRES_PER_YARD = 0.9144

MAX_BLOCKS = 50  # top-level blocks of one workout
MAX_REPEAT_STEPS = 20  # steps (or repeats) directly inside one repeat
MAX_DEPTH = 3  # a repeat inside a repeat inside a repeat, no deeper
MAX_ZONE = 7
MAX_CSS_OFFSET_S = 60.0
MAX_CADENCE = 300.0


class Target(BaseModel):
    """A range of one quantity, read by `unit` (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid")

    type: TargetType
    unit: TargetUnit = "percent"
    low: float
    high: float
    per: PacePer | None = None
    ramp: Ramp | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        # Custom error types: `validate_structure` turns each into a sentence by its code.
        if self.unit != "offset" and (self.low <= 0 or self.high <= 0):
            raise PydanticCustomError("greater_than", "Input should be greater than 0", {"gt": 0})
        if self.high < self.low:
            raise PydanticCustomError("target_order", "target high must be at least target low")
        if self.unit == "percent" and self.high > 250:
            raise PydanticCustomError(
                "target_percent", "a percent-of-threshold target above 250 % is not plausible"
            )
        if self.type == "rpe" and self.high > 10:
            raise PydanticCustomError("rpe_range", "RPE targets go from 1 to 10")
        if self.unit == "zone" and (
            self.type not in ("power", "heart_rate", "pace")
            or not (self.low.is_integer() and self.high.is_integer())
            or self.high > MAX_ZONE
        ):
            raise PydanticCustomError(
                "zone_range", "zones are Z1 to Z7 of power, heart rate or pace"
            )
        if self.unit == "offset" and (
            self.type != "pace" or max(abs(self.low), abs(self.high)) > MAX_CSS_OFFSET_S
        ):
            raise PydanticCustomError(
                "offset_range", "a CSS offset is a pace within 60 s per 100 m of CSS"
            )
        if self.per is not None and (self.type != "pace" or self.unit != "absolute"):
            raise PydanticCustomError("pace_per", "only an absolute pace has a distance unit")
        if self.ramp is not None and (self.unit in ("zone", "offset") or self.low == self.high):
            raise PydanticCustomError("ramp_range", "a ramp goes between two different values")
        return self


class Cadence(BaseModel):
    """A secondary cadence range (rpm, or steps or strokes per minute) next to a target."""

    model_config = ConfigDict(extra="forbid")

    low: float = Field(gt=0, le=MAX_CADENCE)
    high: float = Field(gt=0, le=MAX_CADENCE)

    @model_validator(mode="after")
    def _ordered(self) -> Cadence:
        if self.high < self.low:
            raise PydanticCustomError("target_order", "target high must be at least target low")
        return self


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    duration_s: float | None = Field(default=None, gt=0, le=24 * 3600)
    distance_m: float | None = Field(default=None, gt=0, le=1_000_000)
    target: Target | None = None
    cadence: Cadence | None = None
    note: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_extent(self) -> Step:
        if (self.duration_s is None) == (self.distance_m is None):
            raise PydanticCustomError(
                "extent", "a step has either a duration or a distance, not both or neither"
            )
        if self.cadence is not None and (self.target is None or self.target.type == "cadence"):
            raise PydanticCustomError(
                "cadence_second", "a cadence goes next to a power, heart rate or pace target"
            )
        return self


class Repeat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repeat: int = Field(ge=2, le=100)
    steps: list[Block] = Field(min_length=1, max_length=MAX_REPEAT_STEPS)


def _block_kind(value: Any) -> str:
    """A block with a "repeat" key is a repeat, anything else a step: validating against the
    one it is meant to be gives its own errors, not both models' mixed together."""
    is_repeat = "repeat" in value if isinstance(value, dict) else isinstance(value, Repeat)
    return "repeat" if is_repeat else "step"


Block = Annotated[
    Annotated[Step, Tag("step")] | Annotated[Repeat, Tag("repeat")],
    Discriminator(_block_kind),
]
Repeat.model_rebuild()
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
    "per": "target",
    "ramp": "target",
    "cadence": "cadence",
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
# Middle of each zone as a fraction of threshold, for the same estimate (a 7-zone model).
_ZONE_INTENSITY = {1: 0.5, 2: 0.65, 3: 0.82, 4: 0.97, 5: 1.1, 6: 1.3, 7: 1.6}


def validate_structure(raw: Any) -> list[dict[str, Any]]:
    """Return the canonical JSON form, or raise InvalidInput naming each problem."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InvalidFields(
            [Problem("steps", "shape")], "A workout's structure is a list of steps."
        )
    if len(raw) > MAX_BLOCKS:
        raise InvalidFields(
            [Problem("steps", "too_many_blocks", params={"limit": MAX_BLOCKS})],
            f"A workout has at most {MAX_BLOCKS} blocks.",
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
    for position, depth in _depths(blocks, ""):
        if depth > MAX_DEPTH:
            raise InvalidFields(
                [Problem("steps", "too_deep", step=position, params={"limit": MAX_DEPTH})],
                f"Step {position}: repeats nest at most {MAX_DEPTH} deep.",
            )
    return [b.model_dump(exclude_none=True) for b in blocks]


def _depths(blocks: list[Step | Repeat], prefix: str, depth: int = 0) -> Iterator[tuple[str, int]]:
    """(position, how many repeats deep) of every repeat, outermost first."""
    for index, block in enumerate(blocks, start=1):
        if isinstance(block, Repeat):
            position = f"{prefix}{index}"
            yield position, depth + 1
            yield from _depths(block.steps, f"{position}.", depth + 1)


def _problem(error: Any) -> Problem:
    """One pydantic error as a `Problem`: which step (by position), which part, what code."""
    positions: list[str] = []
    names: list[str] = []
    # The location interleaves positions, the union's tags ("step", "repeat": the string right
    # after a position) and field names; a repeat's own count is a field named like its tag.
    # The part is named by the fields after the innermost position.
    after_position = False
    for item in error["loc"]:
        if isinstance(item, int):
            positions.append(str(item + 1))
            names.clear()
            after_position = True
        elif after_position and item in ("step", "repeat"):
            after_position = False
        else:
            names.append(item)
            after_position = False
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
    return Problem("steps", code, step=".".join(positions), part=part, params=params)


_KNOWN_CODES = frozenset(_CODES.values()) | {
    "extent",
    "target_order",
    "target_percent",
    "rpe_range",
    "zone_range",
    "offset_range",
    "pace_per",
    "ramp_range",
    "cadence_second",
}


def flat_steps(structure: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Every step of a stored structure with how many times it is done (nested repeats
    multiply), in the order written."""
    out: list[tuple[dict[str, Any], int]] = []
    for block in structure:
        if "repeat" in block:
            out.extend(
                (step, times * block["repeat"]) for step, times in flat_steps(block["steps"])
            )
        else:
            out.append((block, 1))
    return out


_flat_steps = flat_steps


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

    Percent targets give the intensity directly (midpoint), zones their zone's middle;
    otherwise the step kind's typical intensity is used. Without structure, a steady 0.7
    over the planned duration.
    """
    steps = [(s, t) for s, t in _flat_steps(structure) if "duration_s" in s]
    if not steps:
        return round((duration_s / 3600) * 0.7**2 * 100, 1) if duration_s else None
    load = 0.0
    for step, times in steps:
        target = step.get("target")
        kind_of = target["type"] in ("power", "heart_rate", "pace") if target else False
        if target and kind_of and target.get("unit", "percent") == "percent":
            intensity = (target["low"] + target["high"]) / 200
        elif target and kind_of and target.get("unit") == "zone":
            intensity = (
                _ZONE_INTENSITY[int(target["low"])] + _ZONE_INTENSITY[int(target["high"])]
            ) / 2
        else:
            intensity = _DEFAULT_INTENSITY[step["kind"]]
        load += step["duration_s"] * times / 3600 * intensity**2 * 100
    return round(load, 1)


def describe(structure: list[dict[str, Any]]) -> list[str]:
    """One plain line per block, e.g. '4 × (5 min interval @ 105–110 % power, 3 min recovery)'."""
    return [_describe_block(b) for b in structure]


def _describe_block(block: dict[str, Any]) -> str:
    if "repeat" in block:
        inner = ", ".join(_describe_block(s) for s in block["steps"])
        return f"{block['repeat']} × ({inner})"
    return _describe_step(block)


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
        text += " @ " + _describe_target(target)
    cadence = step.get("cadence")
    if cadence:
        low, high = f"{cadence['low']:g}", f"{cadence['high']:g}"
        text += f", {_range(low, high)} rpm"
    if step.get("note"):
        text += f" ({step['note']})"
    return text


def _range(low: str, high: str) -> str:
    return low if low == high else f"{low}–{high}"


def _describe_target(target: dict[str, Any]) -> str:
    label = target["type"].replace("_", " ")
    unit = target.get("unit", "percent")
    low, high = target["low"], target["high"]
    ramp = {"up": "ramp ", "down": "ramp down "}.get(target.get("ramp", ""), "")
    if unit == "zone":
        return f"Z{_range(f'{low:.0f}', f'{high:.0f}')} {label}"
    if unit == "offset":
        return f"CSS {_range(f'{low:+g}', f'{high:+g}')} s/100 m"
    if unit == "absolute" and target["type"] == "pace" and target.get("per"):
        return f"{ramp}{_range(_pace(low), _pace(high))}/{target['per']}"
    mark = "%" if unit == "percent" else ""
    return f"{ramp}{low:g}–{high:g}{mark} {label}"


def _pace(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
