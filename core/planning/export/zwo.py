"""ZWO: a planned ride or run as a Zwift workout file (XML).

Zwift reads power as a fraction of the rider's FTP (`Power="0.95"`) and, in a run, the same
attributes as a fraction of the runner's threshold *speed*; durations are seconds. Elements
(community reference: github.com/h4l/zwift-workout-file-reference, generated from every
workout Zwift ships):

    Warmup / Cooldown  Duration, PowerLow (start) → PowerHigh (end)
    Ramp               the same, anywhere else in the workout
    SteadyState        Duration, Power (the middle of the range; PowerLow/PowerHigh the range)
    IntervalsT         Repeat, OnDuration/OffDuration, OnPower/OffPower: a repeat of one
                       work step and one recovery step
    FreeRide           Duration: no power (a heart-rate, RPE or untargeted step)
    textevent          a step's note, shown when the step starts (and what a free-ride step
                       asks for: "Heart rate 102–128 bpm", "RPE 4–5")

Zwift has no general repeat nor heart-rate target: other repeats are written out round by
round, heart-rate and RPE steps ride free. A distance step of a run with a pace target
becomes the time it takes at the middle of that pace; any other distance step is refused.
The tree is built with ElementTree, which escapes every name and note.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from core.metrics import Thresholds
from core.planning.export.blocks import (
    RIDE_SPORTS,
    RUN_SPORTS,
    Block,
    Repeat,
    Step,
    Target,
    bpm,
    ftp_fraction,
    read_blocks,
    speed_m_s,
    sweep,
    threshold_speed,
)
from core.planning.export.errors import ExportRefused
from core.words import say

_FORMAT = "ZWO"


def zwo_workout(
    structure: Sequence[dict[str, Any]],
    *,
    name: str,
    sport: str,
    thresholds: Thresholds | None = None,
    description: str = "",
    author: str = "Trainlytics",
    locale: str | None = "en",
) -> bytes:
    """The .zwo file (UTF-8 XML) of a ride or a run; raises ExportRefused for other sports,
    for a distance it cannot time, or for a target needing a threshold that is not set."""
    if sport not in RIDE_SPORTS | RUN_SPORTS:
        raise ExportRefused("export_zwo_sport")
    blocks = read_blocks(structure)
    if not blocks:
        raise ExportRefused("export_nothing_to_write")
    root = ET.Element("workout_file")
    ET.SubElement(root, "author").text = author
    ET.SubElement(root, "name").text = name
    ET.SubElement(root, "description").text = description
    ET.SubElement(root, "sportType").text = "run" if sport in RUN_SPORTS else "bike"
    ET.SubElement(root, "tags")
    workout = ET.SubElement(root, "workout")
    writer = _Writer(workout, thresholds or Thresholds(), sport, locale)
    for block in blocks:
        writer.block(block)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


class _Writer:
    def __init__(
        self, parent: ET.Element, thresholds: Thresholds, sport: str, locale: str | None
    ) -> None:
        self.parent = parent
        self.locale = locale
        self.thresholds = thresholds
        self.sport = sport
        self.run = sport in RUN_SPORTS

    def block(self, block: Block) -> None:
        if isinstance(block, Repeat):
            pair = block.blocks
            if (
                len(pair) == 2
                and isinstance(pair[0], Step)
                and isinstance(pair[1], Step)
                and self._held(pair[0])
                and self._held(pair[1])
            ):
                self._intervals(block.times, pair[0], pair[1])
                return
            for _ in range(block.times):
                for inner in block.blocks:
                    self.block(inner)
            return
        self._step(block)

    def _held(self, step: Step) -> bool:
        """A step IntervalsT can hold: a steady power (or run pace) target."""
        target = step.target
        return target is not None and target.ramp is None and self._fraction(step) is not None

    def _intervals(self, times: int, on: Step, off: Step) -> None:
        on_low, on_high = self._fraction(on) or (0.0, 0.0)
        off_low, off_high = self._fraction(off) or (0.0, 0.0)
        element = ET.SubElement(
            self.parent,
            "IntervalsT",
            Repeat=str(times),
            OnDuration=_seconds(self._duration(on)),
            OffDuration=_seconds(self._duration(off)),
            OnPower=_ratio((on_low + on_high) / 2),
            OffPower=_ratio((off_low + off_high) / 2),
            PowerOnLow=_ratio(on_low),
            PowerOnHigh=_ratio(on_high),
            PowerOffLow=_ratio(off_low),
            PowerOffHigh=_ratio(off_high),
        )
        if on.cadence is not None:
            element.set("Cadence", _rpm(on.cadence))
        if off.cadence is not None:
            element.set("CadenceResting", _rpm(off.cadence))
        for note in (on.note, off.note):
            if note:
                ET.SubElement(element, "textevent", timeoffset="0", message=note)

    def _step(self, step: Step) -> None:
        duration = _seconds(self._duration(step))
        fraction = self._fraction(step)
        target = step.target
        if fraction is None or target is None:
            element = ET.SubElement(self.parent, "FreeRide", Duration=duration)
        elif (direction := sweep(step)) is not None:
            # A ramp, or a warm-up / cool-down over a range: Zwift climbs (or falls) through it.
            start, end = fraction if direction == "up" else fraction[::-1]
            tag = {"warmup": "Warmup", "cooldown": "Cooldown"}.get(step.kind, "Ramp")
            element = ET.SubElement(
                self.parent,
                tag,
                Duration=duration,
                PowerLow=_ratio(start),
                PowerHigh=_ratio(end),
            )
        else:
            low, high = fraction
            element = ET.SubElement(
                self.parent,
                "SteadyState",
                Duration=duration,
                Power=_ratio((low + high) / 2),
                PowerLow=_ratio(low),
                PowerHigh=_ratio(high),
            )
        if step.cadence is not None:
            element.set("Cadence", _rpm(step.cadence))
        messages = [self._free_target(step) if element.tag == "FreeRide" else None, step.note]
        message = " · ".join(m for m in messages if m)
        if message:
            ET.SubElement(element, "textevent", timeoffset="0", message=message)

    def _free_target(self, step: Step) -> str | None:
        """What a free-ride step asks for, shown as text (Zwift follows no heart rate)."""
        target = step.target
        if target is None:
            return None
        if target.kind == "rpe":
            return say(self.locale, "device_rpe", low=target.low, high=target.high)
        if target.kind == "heart_rate":
            try:
                low, high = bpm(target, self.thresholds, step.position)
            except ExportRefused:  # no LTHR: the step still rides free, without the text
                return None
            return say(self.locale, "device_hr_bpm", low=round(low), high=round(high))
        return None

    def _fraction(self, step: Step) -> tuple[float, float] | None:
        """The step's target as Zwift's fractions (of FTP, or of threshold speed in a run),
        low and high of the range (a ramp's low and high, whichever way it goes)."""
        target = step.target
        if target is None:
            return None
        if target.kind == "power" and not self.run:
            return ftp_fraction(target, self.thresholds, step.position)
        if target.kind == "pace" and self.run:
            return self._speed_fraction(target, step.position)
        return None

    def _speed_fraction(self, target: Target, position: str) -> tuple[float, float]:
        if target.unit == "percent":
            return target.low / 100, target.high / 100
        low, high = speed_m_s(target, self.thresholds, self.sport, position)
        speed = threshold_speed(self.thresholds, self.sport, position)
        return low / speed, high / speed

    def _duration(self, step: Step) -> float:
        if step.duration_s is not None:
            return step.duration_s
        target = step.target
        timed_by_pace = target is not None and target.kind == "pace" and self.run
        if step.distance_m is not None and target is not None and timed_by_pace:
            low, high = speed_m_s(target, self.thresholds, self.sport, step.position)
            return step.distance_m / ((low + high) / 2)
        raise ExportRefused("export_needs_time", step=step.position, format=_FORMAT)


def _seconds(value: float) -> str:
    return str(max(1, round(value)))


def _ratio(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _rpm(cadence: tuple[float, float]) -> str:
    return str(round((cadence[0] + cadence[1]) / 2))
