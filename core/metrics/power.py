"""Power metrics on the 1 Hz active series: weighted power, intensity, load, VI, curve."""

from __future__ import annotations

import math

import numpy as np

from core.metrics.rolling import (
    NORMALISATION_WINDOW_S,
    fourth_power_mean_root,
    max_window_means,
    prefix_sum,
    rolling_means,
)

# Mean-maximal power durations (s): the standard points of power-duration charts.
POWER_CURVE_DURATIONS_S: tuple[int, ...] = (
    1,
    5,
    10,
    15,
    20,
    30,
    60,
    120,
    300,
    600,
    1200,
    1800,
    3600,
)


def power_for_normalisation(power_active: np.ndarray) -> np.ndarray:
    """Missing samples (NaN) count as 0 W for weighted power, as metrics.md §0 recommends."""
    missing = np.isnan(power_active)
    if not missing.any():
        return power_active  # the common case: no copy
    return np.where(missing, 0.0, power_active)


def weighted_power(power_active: np.ndarray) -> float | None:
    """NP-style weighted power: 30 s full-window mean, 4th-power mean, 4th root.

    None with fewer than 30 active seconds (never falls back to average power).
    """
    p = power_for_normalisation(power_active)
    return fourth_power_mean_root(rolling_means(prefix_sum(p), NORMALISATION_WINDOW_S))


def intensity(weighted_w: float | None, ftp_w: float | None) -> float | None:
    if weighted_w is None or ftp_w is None:
        return None
    return weighted_w / ftp_w


def stress_load(
    duration_s: float, intensity_value: float | None, exponent: float = 2.0
) -> float | None:
    """hours × intensity^exponent × 100: one hour at threshold scores 100 (2 for land, 3 swim)."""
    if intensity_value is None:
        return None
    return duration_s / 3600.0 * math.pow(intensity_value, exponent) * 100.0


def power_load(active_s: float, weighted_w: float | None, ftp_w: float | None) -> float | None:
    """TSS-style power load over the active seconds."""
    return stress_load(active_s, intensity(weighted_w, ftp_w))


def variability_index(weighted_w: float | None, avg_w: float | None) -> float | None:
    if weighted_w is None or not avg_w:
        return None
    return weighted_w / avg_w


def power_curve(
    power_active: np.ndarray, durations: tuple[int, ...] = POWER_CURVE_DURATIONS_S
) -> dict[int, float]:
    """Best average power for each standard duration that fits in the active series."""
    return max_window_means(prefix_sum(power_for_normalisation(power_active)), durations)


def has_power(power: np.ndarray | None) -> bool:
    """A recorded channel with at least one positive sample (COROS writes zeros without a meter)."""
    return power is not None and bool(np.nanmax(power, initial=0.0) > 0)
