"""The normalised activity every source (FIT/GPX/TCX file, provider API) is turned into.

This is the contract between importers (`core.files`, `core.sync`) and the metrics engine
(`core.metrics`): importers produce a `ParsedActivity`; metrics read its `Streams`.
Streams are 1 Hz numpy arrays on one elapsed-time axis, so vectorised metrics need no
per-sample Python. A channel the device did not record is `None`; a sample the device did
not write inside a recorded channel is NaN (missing is never 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np


class Sport(StrEnum):
    RIDE = "ride"
    VIRTUAL_RIDE = "virtual_ride"
    RUN = "run"
    TRAIL_RUN = "trail_run"
    SWIM = "swim"
    OPEN_WATER_SWIM = "open_water_swim"
    ROW = "row"
    WALK = "walk"
    HIKE = "hike"
    SKI = "ski"
    STRENGTH = "strength"
    TRANSITION = "transition"
    OTHER = "other"

    @property
    def family(self) -> str:
        """Coarse family used for plan matching and deduplication (ride/run/swim/...)."""
        return _FAMILY.get(self, self.value)


_FAMILY = {
    Sport.VIRTUAL_RIDE: "ride",
    Sport.TRAIL_RUN: "run",
    Sport.OPEN_WATER_SWIM: "swim",
    Sport.HIKE: "walk",
}


@dataclass
class Streams:
    """1 Hz samples; index i is elapsed second `time_s[i]` from the activity start.

    `moving` is False inside pauses (timer stopped, or a recording gap), which metrics
    exclude as metrics.md recommends. Every array has the same length.
    """

    time_s: np.ndarray  # int64, 0, 1, 2, ... (elapsed seconds)
    moving: np.ndarray  # bool
    power: np.ndarray | None = None  # W, float64, NaN = missing
    heart_rate: np.ndarray | None = None  # bpm
    cadence: np.ndarray | None = None  # rpm / spm
    speed: np.ndarray | None = None  # m/s
    distance: np.ndarray | None = None  # m, cumulative
    altitude: np.ndarray | None = None  # m
    lat: np.ndarray | None = None  # degrees
    lng: np.ndarray | None = None  # degrees
    temperature: np.ndarray | None = None  # °C

    CHANNELS = (
        "power",
        "heart_rate",
        "cadence",
        "speed",
        "distance",
        "altitude",
        "lat",
        "lng",
        "temperature",
    )

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    def channels(self) -> dict[str, np.ndarray]:
        """The recorded channels by name (those that are not None)."""
        return {n: a for n in self.CHANNELS if (a := getattr(self, n)) is not None}


@dataclass
class Lap:
    start: datetime
    elapsed_s: float
    moving_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    avg_power: float | None = None
    avg_speed: float | None = None


@dataclass
class SwimLength:
    start: datetime
    elapsed_s: float
    active: bool  # False for rest ("idle") lengths
    strokes: int | None = None
    stroke: str | None = None


@dataclass
class ParsedActivity:
    """One sport session, whatever it came from. Missing values are None, never 0."""

    sport: Sport
    start: datetime  # timezone-aware UTC
    elapsed_s: float
    moving_s: float
    source_format: str  # "fit" | "gpx" | "tcx" | "strava" | "garmin" | ...
    timezone: str | None = None  # IANA name when the source tells it
    sub_sport: str | None = None
    name: str | None = None
    distance_m: float | None = None
    distance_from_gps: bool = False  # True when computed from positions (GPX)
    elevation_gain_m: float | None = None
    elevation_loss_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_power: float | None = None
    max_power: float | None = None
    avg_cadence: float | None = None
    avg_speed: float | None = None
    max_speed: float | None = None
    avg_temperature: float | None = None
    calories: float | None = None
    pool_length_m: float | None = None
    laps: list[Lap] = field(default_factory=list)
    swim_lengths: list[SwimLength] = field(default_factory=list)
    streams: Streams | None = None
    # What the recording device computed itself (e.g. {"normalized_power": 301, ...}),
    # kept for comparison and for coaches who trust their head unit.
    device_summary: dict[str, float] = field(default_factory=dict)
    # Offset of the athlete's local clock from UTC at the start, when the source tells it
    # (FIT `activity.local_timestamp`); an offset does not name a zone, so `timezone` stays None.
    utc_offset_s: int | None = None
