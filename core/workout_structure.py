"""Structured workouts: validated steps, repeats, durations/distances and targets.

Validation uses pydantic models so a coach's modal, a template file and the bot all get the
same precise error messages; the stored form is the plain JSON those models dump.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from core.errors import InvalidInput

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
        if self.high < self.low:
            raise ValueError("target high must be at least target low")
        if self.unit == "percent" and self.high > 250:
            raise ValueError("a percent-of-threshold target above 250 % is not plausible")
        if self.type == "rpe" and self.high > 10:
            raise ValueError("RPE targets go from 1 to 10")
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
            raise ValueError("a step has either a duration or a distance, not both or neither")
        return self


class Repeat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repeat: int = Field(ge=2, le=100)
    steps: list[Step] = Field(min_length=1, max_length=20)


Block = Annotated[Step | Repeat, Field(union_mode="left_to_right")]
_STRUCTURE = TypeAdapter(list[Block])

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
        raise InvalidInput("A workout's structure is a list of steps.")
    if len(raw) > 50:
        raise InvalidInput("A workout has at most 50 blocks.")
    try:
        blocks = _STRUCTURE.validate_python(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"step {'.'.join(str(p + 1) if isinstance(p, int) else str(p) for p in e['loc'][:3])}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()[:5]
        )
        raise InvalidInput(f"The workout steps are not valid: {problems}.") from exc
    return [b.model_dump(exclude_none=True) for b in blocks]


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
