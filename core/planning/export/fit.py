"""FIT workout files: a planned workout for a Garmin, Wahoo or COROS device, and back.

Written with Garmin's own FIT SDK (`garmin_fit_sdk.Encoder`, already the decoder of activity
imports, core/files/fit_import.py): it knows the profile's field numbers, base types and the
CRCs, so this module only decides values. The SDK's encoder resolves a message's main field
names, not its sub-fields (`duration_time`, `custom_target_power_low`), so each value is
written raw in the unit the FIT profile gives that sub-field:

    duration  time: ms (s x 1000); distance: cm (m x 100); open: the lap button
    power     custom low/high: 0-1000 = % FTP, 1000 + W above that
    heart     custom low/high: 0-100 = % max HR, 100 + bpm above that
    speed     custom low/high: mm/s (m/s x 1000)
    cadence   custom low/high: rpm
    zones     target_value: the zone number, custom low/high left empty
    repeat    duration_type repeat_until_steps_cmplt, duration_value: the message_index of
              the first repeated step, target_value: how many times; after the steps it
              repeats, so a repeat inside a repeat is a repeat step inside the outer one

Percent of LTHR has no FIT unit (FIT's percent is of max HR): such targets are written in
bpm from the athlete's LTHR. A ramp has no FIT target either: it is written as a staircase
of short steps climbing from its low to its high value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

import garmin_fit_sdk

from core.metrics import Thresholds
from core.planning.export.blocks import (
    SWIM_SPORTS,
    Block,
    Repeat,
    Step,
    Target,
    bpm,
    ftp_fraction,
    read_blocks,
    speed_m_s,
    watts,
)
from core.planning.export.errors import WorkoutFileError
from core.planning.structure import PACE_PER_M, validate_structure
from core.words import say

_MESG = garmin_fit_sdk.Profile["mesg_num"]
FILE_ID, WORKOUT, WORKOUT_STEP = _MESG["FILE_ID"], _MESG["WORKOUT"], _MESG["WORKOUT_STEP"]

# Our sport → FIT (sport, sub_sport), and back.
_FIT_SPORT: dict[str, tuple[str, str]] = {
    "ride": ("cycling", "generic"),
    "virtual_ride": ("cycling", "indoor_cycling"),
    "run": ("running", "generic"),
    "trail_run": ("running", "trail"),
    "swim": ("swimming", "lap_swimming"),
    "open_water_swim": ("swimming", "open_water"),
    "row": ("rowing", "generic"),
    "walk": ("walking", "generic"),
    "hike": ("hiking", "generic"),
    "ski": ("cross_country_skiing", "generic"),
    "strength": ("training", "strength_training"),
}
_SPORT_FROM_FIT = {
    ("cycling", "indoor_cycling"): "virtual_ride",
    ("cycling", "virtual_activity"): "virtual_ride",
    ("running", "trail"): "trail_run",
    ("swimming", "open_water"): "open_water_swim",
    ("training", "strength_training"): "strength",
} | {fit: ours for ours, fit in _FIT_SPORT.items()}
_SPORT_FROM_FIT[("swimming", "generic")] = "swim"

# Step kind → FIT intensity. "interval" and "steady" are both `active`: the value every
# device generation knows (FIT's later `interval` is not shown by older watches).
_INTENSITY = {
    "warmup": "warmup",
    "cooldown": "cooldown",
    "recovery": "recovery",
    "rest": "rest",
    "interval": "active",
    "steady": "active",
}
_KIND_FROM_INTENSITY = {
    "warmup": "warmup",
    "cooldown": "cooldown",
    "recovery": "recovery",
    "rest": "rest",
    "active": "interval",
    "interval": "interval",
    "other": "steady",
}
_POWER_OFFSET = 1000  # FIT workout_power: values above it are watts + 1000
_HR_OFFSET = 100  # FIT workout_hr: values above it are bpm + 100
# A ramp becomes this many steps at most, about one a minute.
_RAMP_PIECES = (2, 10)


def fit_workout(
    structure: Sequence[dict[str, Any]],
    *,
    name: str,
    sport: str,
    created: datetime,
    thresholds: Thresholds | None = None,
    locale: str | None = "en",
) -> bytes:
    """The FIT workout file (file_id, workout, workout_step messages) of a stored structure.

    Raises ExportRefused when a target needs a threshold the athlete has not set.
    """
    writer = _Writer(thresholds or Thresholds(), sport, locale)
    for block in read_blocks(structure):
        writer.block(block)
    fit_sport, sub_sport = _FIT_SPORT.get(sport, ("generic", "generic"))
    encoder = garmin_fit_sdk.Encoder()
    encoder.on_mesg(
        FILE_ID,
        {
            "type": "workout",
            "manufacturer": "development",
            "product": 0,
            "serial_number": 1,
            "time_created": created,
        },
    )
    encoder.on_mesg(
        WORKOUT,
        {
            "wkt_name": name[:_NAME_CHARS] or "Workout",
            "sport": fit_sport,
            "sub_sport": sub_sport,
            "num_valid_steps": len(writer.steps),
        },
    )
    for step in writer.steps:
        encoder.on_mesg(WORKOUT_STEP, step)
    return encoder.close()


# Devices show short names; the FIT profile's strings have no limit, watches cut at ~15.
_NAME_CHARS = 40
_NOTE_CHARS = 200


class _Writer:
    def __init__(self, thresholds: Thresholds, sport: str, locale: str | None) -> None:
        self.thresholds = thresholds
        self.sport = sport
        self.locale = locale
        self.steps: list[dict[str, Any]] = []

    def block(self, block: Block) -> None:
        if isinstance(block, Repeat):
            first = len(self.steps)
            for inner in block.blocks:
                self.block(inner)
            self._add(
                {
                    "duration_type": "repeat_until_steps_cmplt",
                    "duration_value": first,
                    "target_type": "open",
                    "target_value": block.times,
                    "intensity": "active",
                }
            )
        elif block.target is not None and block.target.ramp is not None:
            for piece in _ramp_pieces(block):
                self._step(piece)
        else:
            self._step(block)

    def _step(self, step: Step) -> None:
        message: dict[str, Any] = {
            "wkt_step_name": say(self.locale, f"device_step_{step.kind}")[:_NAME_CHARS],
            "intensity": _INTENSITY.get(step.kind, "active"),
        }
        if step.duration_s is not None:
            message |= {"duration_type": "time", "duration_value": round(step.duration_s * 1000)}
        elif step.distance_m is not None:
            message |= {"duration_type": "distance", "duration_value": round(step.distance_m * 100)}
        else:
            message["duration_type"] = "open"
        message |= self._target(step)
        notes = [step.note] if step.note else []
        if step.target is not None and step.target.kind == "rpe":
            rpe = step.target
            notes.insert(0, say(self.locale, "device_rpe", low=rpe.low, high=rpe.high))
        if notes:
            message["notes"] = " · ".join(notes)[:_NOTE_CHARS]
        self._add(message)

    def _add(self, message: dict[str, Any]) -> None:
        self.steps.append({"message_index": len(self.steps), **message})

    def _target(self, step: Step) -> dict[str, Any]:
        target = step.target
        if target is None or target.kind == "rpe":
            return {"target_type": "open"}
        fit_type = _FIT_TARGET[target.kind]
        if target.unit == "zone" and target.low == target.high:
            fields = {"target_type": fit_type, "target_value": int(target.low)}
        else:
            low, high = self._custom(target, step.position)
            fields = {
                "target_type": fit_type,
                "target_value": 0,
                "custom_target_value_low": low,
                "custom_target_value_high": high,
            }
        if step.cadence is not None:
            fields |= {
                "secondary_target_type": "cadence",
                "secondary_target_value": 0,
                "secondary_custom_target_value_low": round(step.cadence[0]),
                "secondary_custom_target_value_high": round(step.cadence[1]),
            }
        return fields

    def _custom(self, target: Target, position: str) -> tuple[int, int]:
        if target.kind == "power":
            if target.unit in ("percent", "zone"):  # FIT's own unit: % FTP
                low, high = ftp_fraction(target, self.thresholds, position)
                return round(low * 100), round(high * 100)
            w_low, w_high = watts(target, self.thresholds, position)
            return round(w_low) + _POWER_OFFSET, round(w_high) + _POWER_OFFSET
        if target.kind == "heart_rate":
            b_low, b_high = bpm(target, self.thresholds, position)
            return round(b_low) + _HR_OFFSET, round(b_high) + _HR_OFFSET
        if target.kind == "pace":
            s_low, s_high = speed_m_s(target, self.thresholds, self.sport, position)
            return round(s_low * 1000), round(s_high * 1000)
        return round(target.low), round(target.high)  # cadence, rpm


_FIT_TARGET = {"power": "power", "heart_rate": "heart_rate", "pace": "speed", "cadence": "cadence"}


def _ramp_pieces(step: Step) -> list[Step]:
    """A ramp as a staircase: equal pieces about a minute (or 250 m) long, 2 to 10 of them,
    each holding its slice of the climb (or the fall) from `target.start` to `target.end`."""
    target = step.target
    assert target is not None
    extent = step.duration_s if step.duration_s is not None else step.distance_m or 0.0
    per_piece = 60.0 if step.duration_s is not None else 250.0
    count = min(max(math.ceil(extent / per_piece), _RAMP_PIECES[0]), _RAMP_PIECES[1])
    rise = (target.end - target.start) / count
    length = extent / count
    pieces = []
    for i in range(count):
        a, b = target.start + rise * i, target.start + rise * (i + 1)
        pieces.append(
            replace(
                step,
                duration_s=length if step.duration_s is not None else None,
                distance_m=length if step.distance_m is not None else None,
                target=replace(target, low=min(a, b), high=max(a, b), ramp=None),
                note=step.note if i == 0 else None,
            )
        )
    return pieces


# --- reading a FIT workout back as a plan ---------------------------------------------------


@dataclass(frozen=True)
class ImportedWorkout:
    name: str
    sport: str
    structure: list[dict[str, Any]]


def read_fit_workout(data: bytes, thresholds: Thresholds | None = None) -> ImportedWorkout:
    """A FIT workout file (from a device, Garmin Connect, or `fit_workout`) as a plan.

    `thresholds` turn FIT's percent of max HR into bpm; the rest needs none. Raises
    WorkoutFileError when the file is not a readable workout or a step ends on a condition a
    plan cannot hold (heart rate, calories, power reached), and InvalidFields when the steps
    break the structure's rules (a repeat of 500).
    """
    messages = _decode(data)
    kinds = {m.get("type") for m in messages.get("file_id_mesgs", [])}
    # In message_index order (a file written without one keeps its own order).
    listed = messages.get("workout_step_mesgs", [])
    steps = sorted(
        ({**m, "message_index": m.get("message_index", i)} for i, m in enumerate(listed)),
        key=lambda m: int(m["message_index"]),
    )
    if "workout" not in kinds or not steps:
        raise WorkoutFileError("workout_file_not_a_workout")
    workout = (messages.get("workout_mesgs") or [{}])[0]
    sport_sub = (str(workout.get("sport", "generic")), str(workout.get("sub_sport", "generic")))
    sport = _SPORT_FROM_FIT.get(sport_sub) or _SPORT_FROM_FIT.get(
        (sport_sub[0], "generic"), "other"
    )
    reader = _Reader(thresholds or Thresholds(), sport)
    # (index of the block's first FIT step, block): a repeat step gathers the blocks from
    # the step it names, so a repeat inside a repeat nests.
    blocks: list[tuple[int, dict[str, Any]]] = []
    for message in steps:
        index = int(message["message_index"])
        if message.get("duration_type") == "repeat_until_steps_cmplt":
            first = int(message.get("duration_step", message.get("duration_value", 0)))
            inner = [b for start, b in blocks if start >= first]
            blocks = [(s, b) for s, b in blocks if s < first]
            times = int(message.get("repeat_steps", message.get("target_value", 1)))
            if not inner:
                raise WorkoutFileError("workout_file_step_unsupported", step=index + 1)
            if times <= 1:
                blocks.extend((first, b) for b in inner)
            else:
                blocks.append((first, {"repeat": times, "steps": inner}))
        else:
            blocks.append((index, reader.step(message, index + 1)))
    structure = validate_structure([b for _, b in blocks])
    return ImportedWorkout(str(workout.get("wkt_name") or ""), sport, structure)


def _decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """The file's messages by the SDK (its typed stubs name values in camelCase, which the
    decoder does not return: the plain dicts are read instead)."""
    try:
        decoder = garmin_fit_sdk.Decoder(garmin_fit_sdk.Stream.from_byte_array(bytearray(data)))
        if not decoder.is_fit():
            raise WorkoutFileError("workout_file_not_fit")
        messages, errors = decoder.read()
    except WorkoutFileError:
        raise
    except Exception as exc:  # the SDK signals every decoding failure as a bare Exception
        raise WorkoutFileError("workout_file_not_fit") from exc
    if errors:
        raise WorkoutFileError("workout_file_not_fit")
    return cast(dict[str, list[dict[str, Any]]], messages)


class _Reader:
    def __init__(self, thresholds: Thresholds, sport: str) -> None:
        self.thresholds = thresholds
        self.sport = sport

    def step(self, message: dict[str, Any], number: int) -> dict[str, Any]:
        step: dict[str, Any] = {
            "kind": _KIND_FROM_INTENSITY.get(str(message.get("intensity", "active")), "steady")
        }
        duration = message.get("duration_type")
        if duration in ("time", "repetition_time") and message.get("duration_time"):
            step["duration_s"] = float(message["duration_time"])
        elif duration == "distance" and message.get("duration_distance"):
            step["distance_m"] = float(message["duration_distance"])
        else:
            raise WorkoutFileError(
                "workout_file_step_unsupported", step=number, condition=str(duration)
            )
        target = self._target(message, number)
        if target:
            step["target"] = target
            low = message.get("secondary_custom_target_value_low") or 0
            high = message.get("secondary_custom_target_value_high") or 0
            # A cadence goes next to a target of another type (the structure's rule).
            secondary = message.get("secondary_target_type") == "cadence" and low and high
            if secondary and target["type"] != "cadence":
                step["cadence"] = {"low": float(low), "high": float(high)}
        if message.get("notes"):
            step["note"] = str(message["notes"])[:_NOTE_CHARS]
        return step

    def _target(self, message: dict[str, Any], number: int) -> dict[str, Any] | None:
        kind = message.get("target_type")
        low = message.get("custom_target_value_low") or 0
        high = message.get("custom_target_value_high") or 0
        zone = int(message.get("target_value") or 0)
        if kind == "power":
            if not (low or high):
                return _zone_target("power", zone)
            if low > _POWER_OFFSET:
                return _range("power", "absolute", low - _POWER_OFFSET, high - _POWER_OFFSET)
            return _range("power", "percent", low, high)
        if kind == "heart_rate":
            if not (low or high):
                return _zone_target("heart_rate", zone)
            if low > _HR_OFFSET:
                return _range("heart_rate", "absolute", low - _HR_OFFSET, high - _HR_OFFSET)
            max_hr = self.thresholds.max_hr_bpm
            if max_hr is None:
                raise WorkoutFileError("workout_file_needs_max_hr", step=number)
            return _range("heart_rate", "absolute", max_hr * low / 100, max_hr * high / 100)
        if kind == "speed":
            if not (low or high):
                return _zone_target("pace", zone)
            per = "100m" if self.sport in SWIM_SPORTS else "km"
            # Seconds per km (or 100 m): the slower speed is the larger number.
            pace = _range("pace", "absolute", *_paces(PACE_PER_M[per], low, high))
            return pace | {"per": per}
        if kind == "cadence" and (low or high):
            return _range("cadence", "absolute", low, high)
        return None


def _paces(metres: float, low_mm_s: float, high_mm_s: float) -> tuple[float, float]:
    return metres * 1000 / high_mm_s, metres * 1000 / low_mm_s


def _range(kind: str, unit: str, low: float, high: float) -> dict[str, Any]:
    return {"type": kind, "unit": unit, "low": round(low, 1), "high": round(high, 1)}


def _zone_target(kind: str, zone: int) -> dict[str, Any] | None:
    if zone <= 0:
        return None
    return {"type": kind, "unit": "zone", "low": zone, "high": zone}
