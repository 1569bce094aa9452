"""FIT workout export of a 100-step workout against one garmin-fit-sdk decode of the file.

Target (issue 15): writing the FIT workout file of a 100-step workout costs at most 3x
decoding that same file once with garmin_fit_sdk. Both are measured here, in this process,
best of several runs. Also prints the ZWO writer and the FIT import against the same
baseline.

Run: .venv/bin/python bench/bench_workout_export.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import garmin_fit_sdk  # noqa: E402
from _common import best_time, verdict  # noqa: E402

from core.metrics import Thresholds  # noqa: E402
from core.planning.export import fit_workout, read_fit_workout, zwo_workout  # noqa: E402
from core.planning.structure import validate_structure  # noqa: E402

TARGET = 3.0
ATHLETE = Thresholds(ftp_w=250, lthr_bpm=170)
CREATED = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)


def power(low: float, high: float, **extra: Any) -> dict[str, Any]:
    return {"type": "power", "low": low, "high": high, **extra}


def hundred_steps() -> list[dict[str, Any]]:
    """18 blocks that make exactly 100 FIT workout_step messages: a warm-up; 3 ten-minute
    ramps (10 staircase steps each); 11 repeats of 5 steps (% FTP, % LTHR, watts with a
    cadence, a power zone, an untargeted rest) and their repeat step; a 5 km steady, an
    RPE step and a cool-down."""
    blocks: list[dict[str, Any]] = [{"kind": "warmup", "duration_s": 600, "target": power(50, 65)}]
    blocks += [
        {"kind": "steady", "duration_s": 600, "target": power(50 + i, 75 + i, ramp="up")}
        for i in range(3)
    ]
    for i in range(11):
        steps = [
            {"kind": "interval", "duration_s": 180 + i, "target": power(106, 120), "note": "Hold"},
            {
                "kind": "recovery",
                "duration_s": 120,
                "target": {"type": "heart_rate", "low": 70, "high": 80},
            },
            {
                "kind": "steady",
                "duration_s": 300,
                "target": power(200 + i, 210 + i, unit="absolute"),
                "cadence": {"low": 85, "high": 95},
            },
            {"kind": "interval", "duration_s": 60, "target": power(5, 5, unit="zone")},
            {"kind": "rest", "duration_s": 60},
        ]
        blocks.append({"repeat": 2 + i % 3, "steps": steps})
    blocks += [
        {"kind": "steady", "distance_m": 5000, "target": power(75, 80)},
        {
            "kind": "steady",
            "duration_s": 300,
            "target": {"type": "rpe", "unit": "absolute", "low": 4, "high": 5},
        },
        {"kind": "cooldown", "duration_s": 600},
    ]
    return validate_structure(blocks)


def decode_once(data: bytes) -> Any:
    return garmin_fit_sdk.Decoder(garmin_fit_sdk.Stream.from_byte_array(bytearray(data))).read()


def fit_steps(data: bytes) -> int:
    messages, errors = decode_once(data)
    assert not errors, errors
    return len(messages["workout_step_mesgs"])


def export() -> bytes:
    return fit_workout(STRUCTURE, name="Hundred", sport="ride", created=CREATED, thresholds=ATHLETE)


STRUCTURE = hundred_steps()


def main() -> int:
    data = export()
    steps = fit_steps(data)
    assert steps == 100, steps
    decode = best_time(lambda: decode_once(data), repeat=7, number=20)
    write = best_time(export, repeat=7, number=20)
    timed = [b for b in STRUCTURE if "distance_m" not in b]  # Zwift counts time only
    others = {
        "zwo_workout (same steps, timed)": lambda: zwo_workout(
            timed, name="Hundred", sport="ride", thresholds=ATHLETE
        ),
        "read_fit_workout (import)": lambda: read_fit_workout(data),
    }
    ratio = write / decode
    print(f"workout: {steps} FIT workout_step messages, {len(data)} bytes, best of 7 x 20")
    print(f"garmin_fit_sdk decode of the file  {decode * 1000:8.3f} ms  (baseline)")
    print(f"fit_workout (export)               {write * 1000:8.3f} ms  ({ratio:.2f}x)")
    for name, fn in others.items():
        took = best_time(fn, repeat=7, number=20)
        print(f"{name:<35}{took * 1000:8.3f} ms  ({took / decode:.2f}x)")
    print(
        f"ratio export / one decode = {ratio:.2f}x, target <= {TARGET}x: {verdict(ratio <= TARGET)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
