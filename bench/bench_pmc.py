"""PMC for 1,000 athletes × 10 years of daily load: vectorised vs a per-athlete Python loop.

Target: the vectorised PMC (fitness, fatigue, form, ramp, monotony, strain) is at least
50× faster than the same formulas in plain Python, with equal results.
Run: .venv/bin/python bench/bench_pmc.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_time, verdict

from core.metrics import pmc

ATHLETES = 1000
DAYS = 3650
TARGET = 50.0


def python_pmc(loads: list[float]) -> dict[str, list[float]]:
    """Straightforward per-day loop of the same formulas (seed 0, form from yesterday)."""
    rc, ra = math.exp(-1 / 42), math.exp(-1 / 7)
    ctl = atl = 0.0
    out: dict[str, list[float]] = {k: [] for k in ("ctl", "atl", "tsb", "ramp", "mono", "strain")}
    for d, load in enumerate(loads):
        out["tsb"].append(ctl - atl)
        ctl = ctl * rc + load * (1 - rc)
        atl = atl * ra + load * (1 - ra)
        out["ctl"].append(ctl)
        out["atl"].append(atl)
        out["ramp"].append(ctl - (out["ctl"][d - 7] if d >= 7 else 0.0))
        if d >= 6:
            week = loads[d - 6 : d + 1]
            mean = sum(week) / 7
            sd = math.sqrt(sum((x - mean) ** 2 for x in week) / 7)
            mono = mean / sd if sd > 1e-9 * max(mean, 1.0) else math.nan
            out["mono"].append(mono)
            out["strain"].append(sum(week) * mono)
        else:
            out["mono"].append(math.nan)
            out["strain"].append(math.nan)
    return out


def main() -> int:
    rng = np.random.default_rng(42)
    load = rng.gamma(2.0, 35.0, (ATHLETES, DAYS)) * (rng.random((ATHLETES, DAYS)) > 0.25)
    rows = load.tolist()

    vectorised = best_time(lambda: pmc(load), repeat=5)
    result = pmc(load)
    python = best_time(lambda: [python_pmc(r) for r in rows], repeat=1)
    reference = [python_pmc(r) for r in rows]

    pairs = {
        "ctl": "ctl",
        "atl": "atl",
        "tsb": "tsb",
        "ramp": "ramp",
        "mono": "monotony",
        "strain": "strain",
    }
    worst = 0.0
    for py_name, np_name in pairs.items():
        ref = np.array([r[py_name] for r in reference])
        got = getattr(result, np_name)
        assert np.array_equal(np.isnan(ref), np.isnan(got)), py_name
        ok = ~np.isnan(ref)
        worst = max(
            worst, float(np.max(np.abs(ref[ok] - got[ok]) / np.maximum(1.0, np.abs(ref[ok]))))
        )
    assert worst < 1e-9, worst

    ratio = python / vectorised
    print(f"PMC, {ATHLETES} athletes × {DAYS} days (10 years)")
    print(f"  vectorised (numpy, all athletes) : {vectorised * 1e3:9.1f} ms")
    print(f"  pure-Python loop per athlete     : {python * 1e3:9.1f} ms")
    print(f"  largest relative difference      : {worst:.1e}")
    print(
        f"  speed-up                         : {ratio:9.1f}×  (target ≥ {TARGET:.0f}×, "
        f"{verdict(ratio >= TARGET)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
