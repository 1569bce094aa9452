"""Zone schemes and time in zone (lo ≤ v < hi; a boundary value belongs to the upper zone)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Zone:
    label: str
    name: str
    lower: float  # fraction of the threshold; the zone's upper bound is the next lower


# Coggan, % FTP (metrics.md §14).
POWER_ZONES = (
    Zone("Z1", "Active recovery", 0.0),
    Zone("Z2", "Endurance", 0.55),
    Zone("Z3", "Tempo", 0.75),
    Zone("Z4", "Threshold", 0.90),
    Zone("Z5", "VO2max", 1.05),
    Zone("Z6", "Anaerobic", 1.20),
    Zone("Z7", "Neuromuscular", 1.50),
)

# Friel, % LTHR, cycling and running tables (metrics.md §14).
HR_ZONES_RIDE = (
    Zone("Z1", "Recovery", 0.0),
    Zone("Z2", "Aerobic", 0.81),
    Zone("Z3", "Tempo", 0.90),
    Zone("Z4", "Sub-threshold", 0.94),
    Zone("Z5a", "Super-threshold", 1.00),
    Zone("Z5b", "Aerobic capacity", 1.03),
    Zone("Z5c", "Anaerobic capacity", 1.07),
)
HR_ZONES_RUN = (
    Zone("Z1", "Recovery", 0.0),
    Zone("Z2", "Aerobic", 0.85),
    Zone("Z3", "Tempo", 0.90),
    Zone("Z4", "Sub-threshold", 0.95),
    Zone("Z5a", "Super-threshold", 1.00),
    Zone("Z5b", "Aerobic capacity", 1.03),
    Zone("Z5c", "Anaerobic capacity", 1.07),
)

# Friel running pace zones are given as % of threshold *pace* (time per km): Z1 slower than
# 129 %, Z2 114–129, Z3 106–113, Z4 99–105, Z5a 97–100, Z5b 90–96, Z5c faster than 90 %.
# Expressed here as fractions of threshold *speed* (1 / pace fraction) so one comparison works.
PACE_ZONES = (
    Zone("Z1", "Recovery", 0.0),
    Zone("Z2", "Aerobic", 1 / 1.29),
    Zone("Z3", "Tempo", 1 / 1.14),
    Zone("Z4", "Sub-threshold", 1 / 1.06),
    Zone("Z5a", "Super-threshold", 1 / 0.99),
    Zone("Z5b", "Aerobic capacity", 1 / 0.97),
    Zone("Z5c", "Anaerobic capacity", 1 / 0.90),
)


def zone_bounds(zones: tuple[Zone, ...], threshold: float, *, whole: bool) -> list[float]:
    """Absolute lower bounds; whole units (W, bpm) are rounded, as devices show them."""
    bounds = [z.lower * threshold for z in zones]
    return [float(round(b)) for b in bounds] if whole else bounds


def seconds_in_zones(values: np.ndarray, bounds: list[float]) -> list[int]:
    """Seconds with bounds[i] ≤ v < bounds[i+1]; NaN (no sample) is in no zone.

    Counting `v ≥ bound` per bound beats `np.searchsorted`/`np.histogram` several times
    over for the handful of bounds a zone scheme has.
    """
    at_least = [int(np.count_nonzero(values >= b)) for b in bounds]
    at_least.append(0)
    return [at_least[i] - at_least[i + 1] for i in range(len(bounds))]


def time_in_zones(
    values: np.ndarray, zones: tuple[Zone, ...], threshold: float, *, whole: bool = True
) -> list[dict[str, object]]:
    """One row per zone: label, name, absolute min/max (max None for the top zone), seconds."""
    bounds = zone_bounds(zones, threshold, whole=whole)
    seconds = seconds_in_zones(values, bounds)
    uppers: list[float | None] = [*bounds[1:], None]
    return [
        {"zone": z.label, "name": z.name, "min": lo, "max": hi, "seconds": s}
        for z, lo, hi, s in zip(zones, bounds, uppers, seconds, strict=True)
    ]
