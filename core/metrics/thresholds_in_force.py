"""The athlete's thresholds in force on an activity's date. Every field is optional."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from core.metrics.errors import MetricsInputError

# Banister TRIMP sex coefficients (Green et al.); metrics.md §4.1.
TRIMP_K = {"m": 1.92, "f": 1.67}


@dataclass(frozen=True)
class Thresholds:
    ftp_w: float | None = None
    lthr_bpm: float | None = None
    max_hr_bpm: float | None = None
    rest_hr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    css_s_per_100m: float | None = None
    weight_kg: float | None = None
    sex: Literal["m", "f"] | None = None

    def __post_init__(self) -> None:
        for name in (
            "ftp_w",
            "lthr_bpm",
            "max_hr_bpm",
            "rest_hr_bpm",
            "threshold_pace_s_per_km",
            "css_s_per_100m",
            "weight_kg",
        ):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise MetricsInputError(f"{name} must be a positive number, got {value!r}")
        if self.sex is not None and self.sex not in TRIMP_K:
            raise MetricsInputError(f"sex must be 'm' or 'f', got {self.sex!r}")
        rest, lthr, hr_max = self.rest_hr_bpm, self.lthr_bpm, self.max_hr_bpm
        if rest is not None and hr_max is not None and not rest < hr_max:
            raise MetricsInputError(
                f"resting HR ({rest:g} bpm) must be below max HR ({hr_max:g} bpm)"
            )
        if lthr is not None and hr_max is not None and lthr > hr_max:
            raise MetricsInputError(
                f"threshold HR ({lthr:g} bpm) cannot exceed max HR ({hr_max:g} bpm)"
            )
        if lthr is not None and rest is not None and not lthr > rest:
            raise MetricsInputError(
                f"threshold HR ({lthr:g} bpm) must be above resting HR ({rest:g} bpm)"
            )

    @property
    def trimp_k(self) -> float:
        """Men's coefficient unless the profile says female (metrics.md §4.1 default)."""
        return TRIMP_K[self.sex or "m"]

    @property
    def threshold_speed_m_s(self) -> float | None:
        pace = self.threshold_pace_s_per_km
        return None if pace is None else 1000.0 / pace

    @property
    def css_m_s(self) -> float | None:
        css = self.css_s_per_100m
        return None if css is None else 100.0 / css

    def to_dict(self) -> dict[str, float | str | None]:
        return asdict(self)
