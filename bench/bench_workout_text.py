"""The workout text of a 200-step workout: read, validate and render, against json.loads.

Target (issue 15): parse + validate + render the 200-step workout in at most 5 ms
(median); the ratio to json.loads of the same structure's JSON is recorded next to it,
since the machine's speed moves both together.
"Render" is both renderings a stored workout gets: its text (print_workout, what an editor
shows) and its card lines (describe). The output is checked once to read back as the same
structure, so the figure is of the real work.

Each figure is the median of the process's CPU time per call (time.process_time), next to
the wall-clock median: on a machine whose cores are shared the wall clock mostly measures
the neighbours; on an idle machine the two agree. The target is judged on CPU time.

Run: .venv/bin/python bench/bench_workout_text.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import verdict

from core.planning.structure import describe, flat_steps
from core.planning.workout_text import parse_workout, print_workout

TARGET_MS = 5.0
ROUNDS = 300


def workout_text() -> str:
    """A ride of 200 written steps: a warm-up, 11 blocks of 18 steps each with a repeat
    nested inside (targets of every kind, cadence, notes), a cool-down."""
    targets = ["106-120%", "260W", "Z4", "95% 90rpm", "150bpm", "ramp 60-80%", "rpe7", "88-94%"]
    blocks = []
    for block in range(11):
        steps = [
            f"{1 + (block + i) % 5}m{15 * (i % 4)}s {targets[(block + i) % len(targets)]}"
            + (f' "hold {i}, stay seated"' if i % 5 == 0 else "")
            for i in range(15)
        ]
        steps.append("3x(30s 130% / 30s 50%)")
        blocks.append(f"2x({' / '.join(steps)} / 2m recovery 55%)")
    return "; ".join(["15m warmup ramp 50-75% 85rpm", *blocks, "10m cooldown 50%"])


def median_ms(fn: Callable[[], Any], clock: Callable[[], float] = time.process_time) -> float:
    times = []
    for _ in range(ROUNDS):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times) * 1e3


def main() -> int:
    text = workout_text()
    parsed = parse_workout(text)
    steps = len(flat_steps(parsed.structure))
    assert steps == 200, steps
    as_json = json.dumps(parsed.structure)

    def full() -> None:
        structure = parse_workout(text).structure
        assert parse_workout(print_workout(structure)).structure == parsed.structure
        describe(structure)

    def once() -> None:
        structure = parse_workout(text).structure
        print_workout(structure)
        describe(structure)

    full()
    total = median_ms(once)
    wall = median_ms(once, time.perf_counter)
    read = median_ms(lambda: parse_workout(text))
    printed = median_ms(lambda: print_workout(parsed.structure))
    cards = median_ms(lambda: describe(parsed.structure))
    baseline = median_ms(lambda: json.loads(as_json))
    print(f"Workout text, {steps} steps ({len(text)} characters, {len(as_json)} bytes of JSON)")
    print("  (medians of CPU time per call)")
    print(f"  parse + validate (parse_workout) : {read:7.2f} ms median")
    print(f"  render as text (print_workout)   : {printed:7.2f} ms median")
    print(f"  render as card lines (describe)  : {cards:7.2f} ms median")
    print(
        f"  parse + validate + render        : {total:7.2f} ms median  (target ≤ {TARGET_MS:g} ms, "
        f"{verdict(total <= TARGET_MS)})"
    )
    print(f"  the same, wall clock             : {wall:7.2f} ms median")
    print(f"  json.loads of its JSON           : {baseline:7.3f} ms median")
    print(f"  ratio to json.loads              : {total / baseline:7.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
