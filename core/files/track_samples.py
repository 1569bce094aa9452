"""Shared by the GPX and TCX readers: timed track points → `ParsedActivity`.

Neither format carries a device session summary the way FIT does, so summaries (average
heart rate, power...) are computed from the 1 Hz streams over moving seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from core.activities.parsed import Lap, ParsedActivity, Sport, Streams
from core.files.resample import build_streams

STEP_SPORTS = frozenset({Sport.RUN, Sport.TRAIL_RUN, Sport.WALK, Sport.HIKE})


@dataclass
class TrackSamples:
    """Column lists filled point by point; every list has one entry per timed point."""

    times: list[datetime] = field(default_factory=list)
    channels: dict[str, list[float]] = field(
        default_factory=lambda: {name: [] for name in Streams.CHANNELS}
    )

    def add(self, time: datetime, **values: float | None) -> None:
        self.times.append(time if time.tzinfo else time.replace(tzinfo=UTC))
        for name, column in self.channels.items():
            value = values.get(name)
            column.append(np.nan if value is None else float(value))

    def arrays(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        order = np.argsort(np.array([t.timestamp() for t in self.times]), kind="stable")
        t = np.array([self.times[i].timestamp() for i in order], dtype=np.float64)
        cols = {n: np.asarray(c, dtype=np.float64)[order] for n, c in self.channels.items()}
        return t, cols


# A 0 in these channels means "no reading" (strap lost contact, not pedalling); a 0 W power
# sample is real coasting and stays in the average (metrics.md §0).
_ZERO_IS_MISSING = frozenset({"heart_rate", "cadence"})


def moving_stat(streams: Streams | None, name: str, how: str = "mean") -> float | None:
    """Mean or max of a channel over moving seconds; None when nothing was recorded."""
    if streams is None:
        return None
    values = getattr(streams, name)
    if values is None:
        return None
    values = values[streams.moving & ~np.isnan(values)]
    if name in _ZERO_IS_MISSING:
        values = values[values > 0]
    if values.size == 0:
        return None
    return float(values.max() if how == "max" else values.mean())


def build_activity(
    *,
    samples: TrackSamples,
    sport: Sport,
    source_format: str,
    start: datetime | None = None,
    name: str | None = None,
    distance_m: float | None = None,
    distance_from_gps: bool = False,
    moving_s: float | None = None,
    elevation: tuple[float | None, float | None] = (None, None),
    calories: float | None = None,
    laps: list[Lap] | None = None,
) -> ParsedActivity:
    t, cols = samples.arrays()
    start = start or datetime.fromtimestamp(float(t[0]), UTC)
    if sport in STEP_SPORTS:
        cols["cadence"] = cols["cadence"] * 2
    streams = build_streams(t - start.timestamp(), cols)
    elapsed = float(t[-1] - start.timestamp())
    if moving_s is None:
        moving_s = float(streams.moving.sum()) if streams is not None else elapsed

    def stat(name: str, how: str = "mean") -> float | None:
        return moving_stat(streams, name, how)

    return ParsedActivity(
        sport=sport,
        start=start,
        elapsed_s=elapsed,
        moving_s=moving_s,
        source_format=source_format,
        name=name,
        distance_m=distance_m,
        distance_from_gps=distance_from_gps,
        elevation_gain_m=elevation[0],
        elevation_loss_m=elevation[1],
        avg_hr=stat("heart_rate"),
        max_hr=stat("heart_rate", "max"),
        avg_power=stat("power"),
        max_power=stat("power", "max"),
        avg_cadence=stat("cadence"),
        avg_speed=distance_m / moving_s if distance_m and moving_s else stat("speed"),
        max_speed=stat("speed", "max"),
        avg_temperature=stat("temperature"),
        calories=calories,
        laps=laps or [],
        streams=streams,
    )
