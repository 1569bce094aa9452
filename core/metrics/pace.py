"""Running: grade-adjusted speed, pace load (rTSS-style) and best efforts.

The grade model is Minetti et al. (2002)'s metabolic cost of running on a slope; it is an
approximation of TrainingPeaks' unpublished NGP, so the load source is labelled
"pace_gap" (or "pace" when no altitude was recorded and the speed is used as is).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.metrics.rolling import normalised

GRADE_LIMIT = 0.30  # clip the grade to ±30 % (metrics.md §5)
GRADE_HALF_WINDOW_S = 5  # grade from altitude change over ±5 s ...
MIN_GRADE_RUN_M = 2.0  # ... when at least 2 m were covered, else flat
ALTITUDE_SMOOTHING_S = 15
FLAT_COST_J_KG_M = 3.6
# Minetti 2002: C(i) = 155.4 i⁵ − 30.4 i⁴ − 43.3 i³ + 46.3 i² + 19.5 i + 3.6 (J·kg⁻¹·m⁻¹)
MINETTI_COEFFS = (155.4, -30.4, -43.3, 46.3, 19.5, FLAT_COST_J_KG_M)

BEST_EFFORT_DISTANCES_M: dict[str, float] = {
    "400m": 400.0,
    "1km": 1000.0,
    "1mile": 1609.344,
    "5km": 5000.0,
    "10km": 10000.0,
    "half_marathon": 21097.5,
    "marathon": 42195.0,
}


def fill_gaps(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Linear interpolation over NaN samples (edges hold the nearest value)."""
    bad = np.isnan(x)
    if not bad.any():
        return x
    good = np.flatnonzero(~bad)
    if good.shape[0] == 0:
        return np.zeros_like(x)
    out = x.copy()
    out[bad] = np.interp(np.flatnonzero(bad), good, x[good])
    return out


def cumulative_distance(
    distance: NDArray[np.float64] | None, speed: NDArray[np.float64] | None
) -> NDArray[np.float64] | None:
    """Monotonic cumulative distance from the distance channel, else integrated 1 Hz speed."""
    if distance is not None and np.isfinite(distance).any():
        return np.maximum.accumulate(fill_gaps(distance))
    if speed is not None and np.isfinite(speed).any():
        return np.cumsum(np.nan_to_num(speed, nan=0.0))
    return None


def speed_from(
    distance_cum: NDArray[np.float64], speed: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Recorded speed where present, else the per-second distance increment."""
    if speed is not None and np.isfinite(speed).any():
        return np.nan_to_num(speed, nan=0.0)
    return np.diff(distance_cum, prepend=distance_cum[:1])


def _smooth(x: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    if x.shape[0] < window:
        return x
    kernel = np.full(window, 1.0 / window)
    padded = np.pad(x, (window // 2, window - 1 - window // 2), mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def grade(altitude: NDArray[np.float64], distance_cum: NDArray[np.float64]) -> NDArray[np.float64]:
    """Slope (rise/run) from smoothed altitude over ±5 s, clipped to ±30 %."""
    alt = _smooth(fill_gaps(altitude), ALTITUDE_SMOOTHING_S)
    h = GRADE_HALF_WINDOW_S
    alt_p = np.pad(alt, h, mode="edge")
    dist_p = np.pad(distance_cum, h, mode="edge")
    rise = alt_p[2 * h :] - alt_p[: -2 * h]
    run = dist_p[2 * h :] - dist_p[: -2 * h]
    g = np.divide(rise, run, out=np.zeros_like(rise), where=run >= MIN_GRADE_RUN_M)
    return np.clip(g, -GRADE_LIMIT, GRADE_LIMIT)


def grade_cost_factor(g: NDArray[np.float64]) -> NDArray[np.floating[Any]]:
    """Energy cost on slope g relative to flat ground (1.0 on the flat)."""
    return np.polyval(MINETTI_COEFFS, g) / FLAT_COST_J_KG_M


def grade_adjusted_speed(
    speed: NDArray[np.float64], altitude: NDArray[np.float64], distance_cum: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Flat-ground speed with the same metabolic cost as each second's speed on its slope."""
    return speed * grade_cost_factor(grade(altitude, distance_cum))


def normalised_speed(speed_active: np.ndarray) -> float | None:
    """NP-style normalisation (30 s, 4th power) of the grade-adjusted speed ("NGP-like")."""
    return normalised(speed_active)


def best_efforts(distance_cum: np.ndarray) -> dict[str, float]:
    """Fastest time (s, interpolated within a second) for each standard distance covered.

    Time is the active-series index, so paused seconds never count inside an effort.
    """
    n = distance_cum.shape[0]
    if n < 2:
        return {}
    d = distance_cum
    total = float(d[-1] - d[0])
    efforts: dict[str, float] = {}
    for name, target in BEST_EFFORT_DISTANCES_M.items():
        if target > total:
            continue
        goal = d + target
        j = np.searchsorted(d, goal, side="left")
        ok = j < n
        i = np.flatnonzero(ok)
        j = j[ok]
        before = d[j - 1]
        step = d[j] - before
        frac = np.divide(goal[i] - before, step, out=np.ones_like(step), where=step > 0)
        efforts[name] = float(((j - 1) + frac - i).min())
    return efforts


def pace_s_per_km(speed_m_s: float | None) -> float | None:
    return None if not speed_m_s else 1000.0 / speed_m_s
