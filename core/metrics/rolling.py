"""Rolling-window primitives shared by power, pace and the power curve.

Hand-written on `np.cumsum` because numpy has no rolling mean and pandas is not a
dependency; float64 cumsum keeps watt precision far beyond a 24 h ride (metrics.md §1).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

NORMALISATION_WINDOW_S = 30


def prefix_sum(x: np.ndarray) -> NDArray[np.float64]:
    """Cumulative sum with a leading 0, so window sums are `c[i + w] - c[i]`."""
    c = np.empty(x.shape[0] + 1, dtype=np.float64)
    c[0] = 0.0
    np.cumsum(x, out=c[1:])
    return c


def rolling_means(csum: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    """Means of every full window (TP-style start: the first value covers samples 0..w-1)."""
    if csum.shape[0] - 1 < window:
        return np.empty(0, dtype=np.float64)
    return (csum[window:] - csum[:-window]) / window


def fourth_power_mean_root(rolling: NDArray[np.float64]) -> float | None:
    """(mean of a⁴)^¼ — the NP-style normalisation; None when there is no full window."""
    if rolling.shape[0] == 0:
        return None
    # Elementwise power and a plain reduction, not np.dot: a BLAS call may wake its thread
    # pool, which costs far more than the arithmetic on arrays of this size.
    sq = rolling * rolling
    np.multiply(sq, sq, out=sq)
    return math.pow(float(sq.sum() / rolling.shape[0]), 0.25)


def normalised(x: np.ndarray, window: int = NORMALISATION_WINDOW_S) -> float | None:
    """30 s rolling mean, 4th power mean, 4th root, full windows only (metrics.md §1)."""
    return fourth_power_mean_root(rolling_means(prefix_sum(x), window))


def max_window_means(csum: np.ndarray, durations: tuple[int, ...]) -> dict[int, float]:
    """Best mean over each window length that fits (mean-maximal curve)."""
    n = csum.shape[0] - 1
    return {d: float((csum[d:] - csum[:-d]).max()) / d for d in durations if d <= n}
