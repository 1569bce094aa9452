"""Per-activity metric bundle on a synthetic 4-hour 1 Hz ride.

Targets: the whole bundle (`compute_activity_metrics`) costs at most 20× one `np.cumsum`
over the same power array, and is at least 50× faster than a straightforward pure-Python
implementation of the same formulas (which must agree numerically).
Run: .venv/bin/python bench/bench_metrics.py
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_time, verdict

from core.activities.parsed import ParsedActivity, Sport, Streams
from core.metrics import ActivityMetrics, Thresholds, compute_activity_metrics
from core.metrics.power import POWER_CURVE_DURATIONS_S
from core.metrics.zones import HR_ZONES_RIDE, POWER_ZONES

SECONDS = 4 * 3600
CUMSUM_BUDGET = 20.0
PYTHON_TARGET = 50.0
TH = Thresholds(ftp_w=280, lthr_bpm=165, max_hr_bpm=188, rest_hr_bpm=48)


def synthetic_ride(n: int = SECONDS) -> ParsedActivity:
    rng = np.random.default_rng(7)
    t = np.arange(n)
    surges = 120 * (np.sin(t / 300.0) > 0.7)
    power = np.clip(200 + surges + rng.normal(0, 40, n), 0, None)
    power[rng.random(n) < 0.03] = 0.0  # coasting
    hr = 120 + 0.15 * np.convolve(power, np.ones(60) / 60, mode="same") + t / 600
    speed = 8 + power / 60 + rng.normal(0, 0.3, n)
    streams = Streams(
        time_s=t.astype(np.int64),
        moving=np.ones(n, dtype=bool),
        power=power,
        heart_rate=np.round(hr),
        cadence=np.full(n, 88.0),
        speed=speed,
        distance=np.cumsum(speed),
        altitude=200 + 50 * np.sin(t / 900.0),
    )
    return ParsedActivity(
        sport=Sport.RIDE,
        start=datetime(2024, 5, 1, 7, tzinfo=UTC),
        elapsed_s=float(n),
        moving_s=float(n),
        source_format="fit",
        streams=streams,
    )


def python_bundle(
    power: list[float], hr: list[float], th: Thresholds
) -> tuple[dict[str, float], dict[str, list[int]]]:
    """The same formulas, one sample at a time in plain Python: figures, and seconds per zone."""
    n = len(power)
    ftp, lthr, hmax, hrest = th.ftp_w, th.lthr_bpm, th.max_hr_bpm, th.rest_hr_bpm
    assert ftp is not None and lthr is not None and hmax is not None and hrest is not None
    k = 1.92

    def np_of(p: list[float]) -> float:
        window, s4, count = 0.0, 0.0, 0
        for i, v in enumerate(p):
            window += v
            if i >= 30:
                window -= p[i - 30]
            if i >= 29:
                a = window / 30
                s4 += a**4
                count += 1
        return (s4 / count) ** 0.25

    weighted = np_of(power)
    avg_p = sum(power) / n
    out = {"weighted_power": weighted, "avg_power": avg_p, "max_power": max(power)}
    out["intensity"] = weighted / ftp
    out["load"] = n / 3600 * (weighted / ftp) ** 2 * 100
    out["variability_index"] = weighted / avg_p
    for d in POWER_CURVE_DURATIONS_S:
        s = sum(power[:d])
        best = s
        for i in range(d, n):
            s += power[i] - power[i - d]
            best = max(best, s)
        out[f"curve_{d}"] = best / d
    trimp, edwards, hr_sum, hr_n = 0.0, 0.0, 0.0, 0
    for h in hr:
        x = min(max((h - hrest) / (hmax - hrest), 0.0), 1.0)
        trimp += x * 0.64 * math.exp(k * x) / 60
        edwards += sum(1 for j in range(5, 10) if h * 10 >= j * hmax) / 60  # band 50…90 %
        if h > 0:
            hr_sum += h
            hr_n += 1
    xl = (lthr - hrest) / (hmax - hrest)
    out["trimp"] = trimp
    out["trimp_edwards"] = edwards
    out["hr_load"] = 100 * trimp / (60 * xl * 0.64 * math.exp(k * xl))
    out["avg_hr"] = hr_sum / hr_n
    zone_seconds: dict[str, list[int]] = {}
    for name, zones, thr, values in (
        ("power", POWER_ZONES, ftp, power),
        ("hr", HR_ZONES_RIDE, lthr, hr),
    ):
        bounds = [float(round(z.lower * thr)) for z in zones]
        counts = [0] * len(bounds)
        for v in values:
            zone = 0
            for j, b in enumerate(bounds):
                if v >= b:
                    zone = j
            counts[zone] += 1
        zone_seconds[name] = counts
    half = n // 2
    ef1 = np_of(power[:half]) / (sum(hr[:half]) / half)
    ef2 = np_of(power[half:]) / (sum(hr[half:]) / (n - half))
    out["efficiency_factor"] = weighted / out["avg_hr"]
    out["decoupling_pct"] = (ef1 - ef2) / ef1 * 100
    return out, zone_seconds


def compare(ours: ActivityMetrics, ref: dict[str, float], ref_zones: dict[str, list[int]]) -> float:
    """Largest relative difference between the numpy bundle and the Python reference."""
    got = {
        "weighted_power": ours.weighted_power,
        "avg_power": ours.avg_power,
        "max_power": ours.max_power,
        "intensity": ours.intensity,
        "load": ours.load,
        "variability_index": ours.variability_index,
        "trimp": ours.trimp,
        "trimp_edwards": ours.trimp_edwards,
        "hr_load": ours.loads["hr"],
        "avg_hr": ours.avg_hr,
        "efficiency_factor": ours.efficiency_factor,
        "decoupling_pct": ours.decoupling_pct,
    }
    got |= {f"curve_{d}": w for d, w in ours.power_curve.items()}
    worst = 0.0
    for key, value in got.items():
        assert value is not None, f"the bundle left {key} out"
        worst = max(worst, abs(value - ref[key]) / max(1.0, abs(ref[key])))
    for kind in ("power", "hr"):
        zones = ours.zones[kind]
        assert zones is not None and [r["seconds"] for r in zones] == ref_zones[kind], kind
    return worst


def main() -> int:
    ride = synthetic_ride()
    streams = ride.streams
    assert streams is not None and streams.power is not None and streams.heart_rate is not None
    power = streams.power
    cumsum = best_time(lambda: np.cumsum(power), repeat=7, number=200)
    bundle = best_time(lambda: compute_activity_metrics(ride, TH), repeat=7, number=50)
    ours = compute_activity_metrics(ride, TH)
    power_list, hr_list = power.tolist(), streams.heart_rate.tolist()
    python = best_time(lambda: python_bundle(power_list, hr_list, TH), repeat=3)
    worst = compare(ours, *python_bundle(power_list, hr_list, TH))
    assert worst < 1e-9, worst

    cost = bundle / cumsum
    speedup = python / bundle
    print(f"Per-activity bundle, synthetic {SECONDS // 3600} h ride at 1 Hz ({SECONDS} samples)")
    print(f"  one np.cumsum over power       : {cumsum * 1e6:9.1f} µs")
    print(f"  compute_activity_metrics       : {bundle * 1e6:9.1f} µs")
    print(f"  pure-Python reference          : {python * 1e6:9.1f} µs")
    print(f"  largest relative difference    : {worst:.1e}")
    print(
        f"  bundle / cumsum                : {cost:9.1f}×  (target ≤ {CUMSUM_BUDGET:.0f}×, "
        f"{verdict(cost <= CUMSUM_BUDGET)})"
    )
    print(
        f"  pure Python / bundle           : {speedup:9.1f}×  (target ≥ {PYTHON_TARGET:.0f}×, "
        f"{verdict(speedup >= PYTHON_TARGET)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
