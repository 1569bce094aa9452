"""A stored workout structure read once into typed blocks, the one input of every writer.

`core.planning.structure` stores plain JSON (steps, repeats, targets). The writers
(fit, zwo, trainer) walk the typed `Step` / `Repeat` tree made here, so the JSON's shape is
read in one place, and a target is turned into the absolute values a format needs by the
same functions (`watts`, `bpm`, `speed_m_s`) with the athlete's `Thresholds`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from core.metrics import Thresholds
from core.planning.export.errors import ExportRefused
from core.planning.structure import PACE_PER_M

TargetKind = Literal["power", "heart_rate", "pace", "cadence", "rpe"]
TargetUnit = Literal["percent", "absolute", "zone", "offset"]
# Sports whose "pace" is per 100 m of water (threshold: CSS) rather than per km.
SWIM_SPORTS = frozenset({"swim", "open_water_swim"})
RIDE_SPORTS = frozenset({"ride", "virtual_ride"})
RUN_SPORTS = frozenset({"run", "trail_run", "walk", "hike"})


@dataclass(frozen=True)
class Target:
    """`low`..`high` in `unit` (core.planning.structure's docstring says each in full).

    percent: of the threshold (pace: of threshold *speed*, above 100 is faster); absolute:
    W, bpm, rpm, RPE 1-10, or for pace seconds per `per_m` metres; zone: zone numbers 1-7;
    offset: seconds per 100 m added to the athlete's CSS (swims).
    """

    kind: TargetKind
    unit: TargetUnit
    low: float
    high: float
    per_m: float = 0.0  # 0: not stored, seconds per km (per 100 m in a swim)
    # "up": from low to high over the step; "down": from high to low; None: held.
    ramp: Literal["up", "down"] | None = None

    @property
    def start(self) -> float:
        return self.high if self.ramp == "down" else self.low

    @property
    def end(self) -> float:
        return self.low if self.ramp == "down" else self.high


@dataclass(frozen=True)
class Step:
    """One step; neither `duration_s` nor `distance_m` means it ends on the lap button."""

    kind: str
    duration_s: float | None
    distance_m: float | None
    target: Target | None
    note: str | None
    # A secondary cadence range (rpm) next to a target of another type.
    cadence: tuple[float, float] | None = None
    # Where the step sits in the stored structure ("2" or "2.1"), for a refusal to point at.
    position: str = ""


@dataclass(frozen=True)
class Repeat:
    times: int
    blocks: tuple[Step | Repeat, ...]
    position: str = ""


Block = Step | Repeat


def read_blocks(structure: Sequence[dict[str, Any]]) -> tuple[Block, ...]:
    """The stored JSON (already validated by `validate_structure`) as typed blocks."""
    return tuple(_block(raw, str(i + 1)) for i, raw in enumerate(structure))


def _block(raw: dict[str, Any], position: str) -> Block:
    if "repeat" in raw:
        return Repeat(
            times=int(raw["repeat"]),
            blocks=tuple(
                _block(inner, f"{position}.{i + 1}") for i, inner in enumerate(raw["steps"])
            ),
            position=position,
        )
    target = raw.get("target")
    cadence = raw.get("cadence")
    return Step(
        kind=str(raw.get("kind", "steady")),
        duration_s=_number(raw.get("duration_s")),
        distance_m=_number(raw.get("distance_m")),
        target=_target(target) if target else None,
        note=raw.get("note") or None,
        cadence=(float(cadence["low"]), float(cadence["high"])) if cadence else None,
        position=position,
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _target(raw: dict[str, Any]) -> Target:
    per = raw.get("per")
    return Target(
        kind=raw["type"],
        unit=raw.get("unit", "percent"),
        low=float(raw["low"]),
        high=float(raw["high"]),
        # Rows stored before `per` existed hold seconds per km (per 100 m in a swim's pool:
        # `speed_m_s` reads those by the sport).
        per_m=PACE_PER_M[per] if per else 0.0,
        ramp=raw.get("ramp"),
    )


def sweep(step: Step) -> Literal["up", "down"] | None:
    """Which way a format holding one value at a time (ZWO, ERG, MRC) moves through the
    step's range: a ramp its way; a warm-up's range up, a cool-down's down, as Zwift's own
    Warmup and Cooldown do; any other range is held at its middle (None)."""
    target = step.target
    if target is None:
        return None
    if target.ramp is not None:
        return target.ramp
    if target.low != target.high and step.kind in ("warmup", "cooldown"):
        return "up" if step.kind == "warmup" else "down"
    return None


def flat_steps(blocks: Sequence[Block]) -> Iterator[Step]:
    """Every step in the order it is done, repeats unrolled."""
    for block in blocks:
        if isinstance(block, Repeat):
            for _ in range(block.times):
                yield from flat_steps(block.blocks)
        else:
            yield block


# --- targets in absolute units -------------------------------------------------------------


def watts(target: Target, thresholds: Thresholds, position: str) -> tuple[float, float]:
    """A power target as watts (percent of FTP needs the FTP)."""
    if target.unit == "absolute":
        return target.low, target.high
    ftp = _need(thresholds.ftp_w, "ftp", position)
    if target.unit == "zone":
        return _zone_range(_POWER_ZONE_PERCENT, target, ftp)
    return ftp * target.low / 100, ftp * target.high / 100


def ftp_fraction(target: Target, thresholds: Thresholds, position: str) -> tuple[float, float]:
    """A power target as a fraction of FTP (absolute watts need the FTP)."""
    if target.unit == "percent":
        return target.low / 100, target.high / 100
    if target.unit == "zone":
        return _zone_range(_POWER_ZONE_PERCENT, target, 0.01)
    ftp = _need(thresholds.ftp_w, "ftp", position)
    return target.low / ftp, target.high / ftp


def bpm(target: Target, thresholds: Thresholds, position: str) -> tuple[float, float]:
    """A heart-rate target as bpm (percent of LTHR needs the LTHR)."""
    if target.unit == "absolute":
        return target.low, target.high
    lthr = _need(thresholds.lthr_bpm, "lthr", position)
    if target.unit == "zone":
        return _zone_range(_HR_ZONE_PERCENT, target, lthr)
    return lthr * target.low / 100, lthr * target.high / 100


def threshold_speed(thresholds: Thresholds, sport: str, position: str) -> float:
    """The speed a percent-of-pace target is a percent of, in m/s."""
    if sport in SWIM_SPORTS:
        return 100 / _need(thresholds.css_s_per_100m, "css", position)
    return 1000 / _need(thresholds.threshold_pace_s_per_km, "threshold_pace", position)


def speed_m_s(
    target: Target, thresholds: Thresholds, sport: str, position: str
) -> tuple[float, float]:
    """A pace target as a speed range in m/s, slow to fast."""
    if target.unit == "absolute":
        metres = target.per_m or (100.0 if sport in SWIM_SPORTS else 1000.0)
        # The larger number of seconds per km is the slower speed.
        return metres / target.high, metres / target.low
    if target.unit == "offset":
        css = _need(thresholds.css_s_per_100m, "css", position)
        return 100 / (css + target.high), 100 / (css + target.low)
    speed = threshold_speed(thresholds, sport, position)
    if target.unit == "zone":
        return _zone_range(_PACE_ZONE_PERCENT, target, speed / 100)
    return speed * target.low / 100, speed * target.high / 100


def _need(value: float | None, threshold: str, position: str) -> float:
    if value is None:
        raise ExportRefused(f"export_needs_{threshold}", step=position)
    return value


# Zone numbers as percent ranges of the threshold, from core.metrics.zones' schemes (Coggan
# power, Friel HR and pace); the top zone's ceiling is a plausible bound, not a limit.
_POWER_ZONE_PERCENT = ((40, 55), (56, 75), (76, 90), (91, 105), (106, 120), (121, 150), (151, 200))
_HR_ZONE_PERCENT = ((68, 80), (81, 89), (90, 93), (94, 99), (100, 102), (103, 106), (107, 110))
_PACE_ZONE_PERCENT = ((70, 77), (78, 87), (88, 94), (95, 100), (101, 103), (104, 111), (112, 120))


def _zone_range(
    table: tuple[tuple[int, int], ...], target: Target, scale: float
) -> tuple[float, float]:
    low_zone = table[min(max(int(target.low), 1), len(table)) - 1]
    high_zone = table[min(max(int(target.high), 1), len(table)) - 1]
    return low_zone[0] * scale, high_zone[1] * scale
