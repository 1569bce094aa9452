"""Heart-rate load: Banister TRIMP, the TRIMP-normalised HR load (hrTSS-style), Edwards TRIMP."""

from __future__ import annotations

import math

import numpy as np

TRIMP_FACTOR = 0.64  # same for men and women (metrics.md §4.1)
# Edwards: 50-60 % of max → ×1 … 90-100 % → ×5; below 50 % counts 0.
EDWARDS_LOWEST_FRACTION = 0.5


def hr_reserve_fraction(hr: np.ndarray, rest_bpm: float, max_bpm: float) -> np.ndarray:
    """x = (HR − rest)/(max − rest), clipped to [0, 1]; NaN stays NaN (no sample)."""
    x = (hr - rest_bpm) / (max_bpm - rest_bpm)
    return np.clip(x, 0.0, 1.0)


def banister_trimp(
    hr_active: np.ndarray, rest_bpm: float, max_bpm: float, k: float
) -> float | None:
    """Σ over active seconds of (1/60)·x·0.64·e^{k·x}; seconds without HR are skipped."""
    x = hr_reserve_fraction(hr_active, rest_bpm, max_bpm)
    missing = np.isnan(x)
    if missing.any():
        x = x[~missing]
    if x.shape[0] == 0:
        return None
    weighted = np.exp(k * x)
    weighted *= x  # elementwise, not np.dot (see core.metrics.rolling on BLAS calls)
    return float(weighted.sum()) * TRIMP_FACTOR / 60.0


def trimp_per_hour_at(hr_bpm: float, rest_bpm: float, max_bpm: float, k: float) -> float:
    x = min(max((hr_bpm - rest_bpm) / (max_bpm - rest_bpm), 0.0), 1.0)
    return 60.0 * x * TRIMP_FACTOR * math.exp(k * x)


def hr_load(
    trimp: float | None, lthr_bpm: float, rest_bpm: float, max_bpm: float, k: float
) -> float | None:
    """100 × TRIMP / TRIMP(60 min at LTHR): one hour at threshold HR scores 100."""
    if trimp is None:
        return None
    return 100.0 * trimp / trimp_per_hour_at(lthr_bpm, rest_bpm, max_bpm, k)


def edwards_trimp(hr_active: np.ndarray, max_bpm: float) -> float | None:
    """Minutes in each 10 %-of-max band from 50 % up, weighted 1…5 (lower bound inclusive).

    Weight w = number of band floors (50, 60, … 90 %) at or below the HR, so the sum is
    Σ_floors seconds at or above that floor: five counts instead of a per-sample weight.
    """
    present = int(np.count_nonzero(~np.isnan(hr_active)))
    if present == 0:
        return None
    tenfold = hr_active * 10.0  # compare HR·10 ≥ j·max: exact for whole bpm
    seconds = sum(int(np.count_nonzero(tenfold >= j * max_bpm)) for j in range(5, 10))
    return seconds / 60.0


def average_hr(hr_active: np.ndarray) -> float | None:
    """Mean over active seconds with HR > 0 (zeros are strap dropouts, not a heart at rest)."""
    valid = hr_active > 0  # NaN compares False
    count = int(np.count_nonzero(valid))
    if count == 0:
        return None
    if count == hr_active.shape[0]:
        return float(hr_active.mean())
    return float(hr_active[valid].mean())
