"""ERG and MRC: the plain-text course files of trainer apps (TrainerRoad, Golden Cheetah,
PerfPRO, RGT, MyWhoosh, Zwift's importer), a power graph over minutes.

    [COURSE HEADER]
    VERSION = 2
    UNITS = ENGLISH
    DESCRIPTION = Sweet spot 3x15
    FILE NAME = Sweet spot 3x15
    FTP = 250                       (ERG only)
    MINUTES WATTS                   (ERG; MRC: MINUTES PERCENT, percent of FTP)
    [END COURSE HEADER]
    [COURSE DATA]
    0.00    125                     one line per point: the trainer goes in a straight line
    10.00   162                     from each point to the next, so a held step is two points
    ...                             of the same value and a ramp two of different ones
    [END COURSE DATA]
    [COURSE TEXT]                   notes: seconds from the start, text, seconds shown
    [END COURSE TEXT]

Repeats are written out round by round. A held range is held at its middle (a trainer in
ERG mode holds one power), a warm-up's range climbs and a cool-down's falls, as in ZWO. A
step without a power target (untargeted, or set by RPE) is held at its kind's usual
intensity; a heart-rate or pace step, or a distance step, is refused: these files hold power
over time only. ERG needs the FTP for percent targets, MRC for watts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from core.metrics import Thresholds
from core.planning.export.blocks import Step, flat_steps, ftp_fraction, read_blocks, sweep
from core.planning.export.errors import ExportRefused

# Fraction of FTP a step without a power target is held at, by kind: the intensities
# core.planning.structure assumes for the load of an untargeted step, except rest (0 there),
# held at 40 % so a trainer in ERG mode keeps a light resistance.
_KIND_FRACTION = {
    "warmup": 0.6,
    "cooldown": 0.55,
    "recovery": 0.55,
    "rest": 0.4,
    "steady": 0.75,
    "interval": 0.95,
}


def erg_workout(structure: Sequence[dict[str, Any]], *, name: str, thresholds: Thresholds) -> str:
    """The .erg file: minutes and watts (percent targets need the athlete's FTP)."""
    ftp = thresholds.ftp_w
    if ftp is None:
        raise ExportRefused("export_erg_needs_ftp")
    points = _points(structure, thresholds, "ERG")
    data = [f"{minutes:.2f}\t{round(fraction * ftp)}" for minutes, fraction in points]
    return _course(name, "WATTS", data, structure, ftp=ftp)


def mrc_workout(
    structure: Sequence[dict[str, Any]], *, name: str, thresholds: Thresholds | None = None
) -> str:
    """The .mrc file: minutes and percent of FTP (watt targets need the athlete's FTP)."""
    points = _points(structure, thresholds or Thresholds(), "MRC")
    data = [f"{minutes:.2f}\t{fraction * 100:.1f}" for minutes, fraction in points]
    return _course(name, "PERCENT", data, structure, ftp=None)


def _points(
    structure: Sequence[dict[str, Any]], thresholds: Thresholds, fmt: Literal["ERG", "MRC"]
) -> list[tuple[float, float]]:
    """(minutes from the start, fraction of FTP): two points per step."""
    steps = list(flat_steps(read_blocks(structure)))
    if not steps:
        raise ExportRefused("export_nothing_to_write")
    points: list[tuple[float, float]] = []
    elapsed = 0.0
    for step in steps:
        if step.duration_s is None:
            raise ExportRefused("export_needs_time", step=step.position, format=fmt)
        start, end = _fractions(step, thresholds, fmt)
        points.append((elapsed / 60, start))
        elapsed += step.duration_s
        points.append((elapsed / 60, end))
    return points


def _fractions(step: Step, thresholds: Thresholds, fmt: str) -> tuple[float, float]:
    """The step's power at its start and its end, as fractions of FTP."""
    target = step.target
    if target is None or target.kind == "rpe":
        held = _KIND_FRACTION.get(step.kind, 0.6)
        return held, held
    if target.kind != "power":
        raise ExportRefused("export_power_only", step=step.position, format=fmt)
    low, high = ftp_fraction(target, thresholds, step.position)
    direction = sweep(step)
    if direction == "up":
        return low, high
    if direction == "down":
        return high, low
    middle = (low + high) / 2
    return middle, middle


def _course(
    name: str,
    unit: str,
    data: list[str],
    structure: Sequence[dict[str, Any]],
    *,
    ftp: float | None,
) -> str:
    title = " ".join(name.replace("[", "(").replace("]", ")").split()) or "Workout"
    header = [
        "[COURSE HEADER]",
        "VERSION = 2",
        "UNITS = ENGLISH",
        f"DESCRIPTION = {title}",
        f"FILE NAME = {title}",
    ]
    if ftp is not None:
        header.append(f"FTP = {round(ftp)}")
    header += [f"MINUTES {unit}", "[END COURSE HEADER]", "[COURSE DATA]"]
    lines = [*header, *data, "[END COURSE DATA]"]
    texts = _texts(structure)
    if texts:
        lines += ["[COURSE TEXT]", *texts, "[END COURSE TEXT]"]
    return "\r\n".join(lines) + "\r\n"


def _texts(structure: Sequence[dict[str, Any]]) -> list[str]:
    """Each note, from its step's start, shown for 10 s (tabs and line ends made spaces)."""
    texts = []
    elapsed = 0.0
    for step in flat_steps(read_blocks(structure)):
        if step.note:
            texts.append(f"{round(elapsed)}\t{' '.join(step.note.split())}\t10")
        elapsed += step.duration_s or 0.0
    return texts
