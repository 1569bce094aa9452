"""Swim load (sTSS-style): cube of intensity, speed over active swimming time only."""

from __future__ import annotations

from dataclasses import dataclass

from core.activities.parsed import ParsedActivity
from core.metrics.power import stress_load

SWIM_EXPONENT = 3.0  # water drag: cube, not square (metrics.md §6)


@dataclass(frozen=True)
class SwimTime:
    active_s: float
    idle_s: float
    distance_m: float | None


def swim_time(activity: ParsedActivity) -> SwimTime:
    """Active/idle time from pool lengths; open water (no lengths) uses moving time."""
    lengths = activity.swim_lengths
    if lengths:
        active = [length for length in lengths if length.active]
        active_s = sum(length.elapsed_s for length in active)
        idle_s = sum(length.elapsed_s for length in lengths if not length.active)
        distance = (
            len(active) * activity.pool_length_m if activity.pool_length_m else activity.distance_m
        )
        return SwimTime(active_s, idle_s, distance)
    idle = max(activity.elapsed_s - activity.moving_s, 0.0)
    return SwimTime(activity.moving_s, idle, activity.distance_m)


def swim_intensity(time: SwimTime, css_m_s: float | None) -> float | None:
    if css_m_s is None or not time.distance_m or time.active_s <= 0:
        return None
    return time.distance_m / time.active_s / css_m_s


def swim_load(time: SwimTime, css_m_s: float | None) -> float | None:
    """hours(active) × (NSS / CSS)³ × 100."""
    return stress_load(time.active_s, swim_intensity(time, css_m_s), SWIM_EXPONENT)
