"""Strava's activity JSON and key-by-type streams -> `ParsedActivity`.

Strava gives no original file to third parties, so its streams are the detailed data.
Streams share one index; `time` holds the elapsed second of each sample. They are laid
on a 1 Hz axis: seconds with no sample stay NaN (missing, never 0), and a gap longer
than `PAUSE_GAP_S` counts as not moving, as a stopped timer would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np

from core.activities.parsed import Lap, ParsedActivity, Streams
from core.sync.providers.base import ProviderError
from core.sync.sports import strava_sport

STREAM_KEYS = (
    "time",
    "latlng",
    "distance",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
)
# Smart recording writes a sample every few seconds; longer silences are pauses.
PAUSE_GAP_S = 10

_TIMEZONE = re.compile(r"^\(GMT[+-]\d\d:\d\d\)\s+(?P<iana>\S+)$")


def parse_strava_time(value: str) -> datetime:
    """`start_date` is UTC with a `Z`; fromisoformat reads it aware."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def strava_timezone(value: str | None) -> str | None:
    match = _TIMEZONE.match(value or "")
    return match.group("iana") if match else None


def _float(summary: Mapping[str, Any], key: str) -> float | None:
    value = summary.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def activity_from_strava(
    summary: Mapping[str, Any], streams: Mapping[str, Any] | None
) -> ParsedActivity:
    try:
        start = parse_strava_time(summary["start_date"])
        elapsed = float(summary["elapsed_time"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"Strava activity without a usable start or duration: {exc}") from exc
    parsed_streams = streams_from_strava(streams) if streams else None
    avg_power = _float(summary, "average_watts")
    device_summary: dict[str, float] = {}
    if (weighted := _float(summary, "weighted_average_watts")) is not None:
        device_summary["weighted_average_watts"] = weighted
    if (kilojoules := _float(summary, "kilojoules")) is not None:
        device_summary["kilojoules"] = kilojoules
    return ParsedActivity(
        sport=strava_sport(summary.get("sport_type"), summary.get("type")),
        start=start,
        elapsed_s=elapsed,
        moving_s=float(summary.get("moving_time") or elapsed),
        source_format="strava",
        timezone=strava_timezone(summary.get("timezone")),
        sub_sport=summary.get("sport_type") or summary.get("type"),
        name=summary.get("name"),
        distance_m=_float(summary, "distance"),
        elevation_gain_m=_float(summary, "total_elevation_gain"),
        avg_hr=_float(summary, "average_heartrate"),
        max_hr=_float(summary, "max_heartrate"),
        # Strava estimates watts without a power meter; only device watts are measurements.
        avg_power=avg_power if summary.get("device_watts") else None,
        max_power=_float(summary, "max_watts") if summary.get("device_watts") else None,
        avg_cadence=_float(summary, "average_cadence"),
        avg_speed=_float(summary, "average_speed"),
        max_speed=_float(summary, "max_speed"),
        avg_temperature=_float(summary, "average_temp"),
        calories=_float(summary, "calories"),
        laps=[_lap(lap) for lap in summary.get("laps") or [] if lap.get("start_date")],
        streams=parsed_streams,
        device_summary=device_summary,
    )


def _lap(lap: Mapping[str, Any]) -> Lap:
    return Lap(
        start=parse_strava_time(lap["start_date"]),
        elapsed_s=float(lap.get("elapsed_time") or 0),
        moving_s=_float(lap, "moving_time"),
        distance_m=_float(lap, "distance"),
        avg_hr=_float(lap, "average_heartrate"),
        avg_power=_float(lap, "average_watts") if lap.get("device_watts") else None,
        avg_speed=_float(lap, "average_speed"),
    )


def _data(streams: Mapping[str, Any], key: str) -> list[Any] | None:
    entry = streams.get(key)
    data = entry.get("data") if isinstance(entry, Mapping) else None
    return data if isinstance(data, list) else None


def streams_from_strava(streams: Mapping[str, Any]) -> Streams | None:
    """Key-by-type streams -> 1 Hz `Streams`; None without a `time` stream."""
    times = _data(streams, "time")
    if not times:
        return None
    seconds = np.asarray(times, dtype=np.int64)
    if np.any(np.diff(seconds) < 0):
        raise ProviderError("Strava time stream goes backwards")
    seconds = seconds - seconds[0]
    length = int(seconds[-1]) + 1
    n = len(seconds)

    def lay(values: list[Any] | None) -> np.ndarray | None:
        if values is None or len(values) != n:
            return None
        column = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
        out = np.full(length, np.nan)
        out[seconds] = column
        return out

    latlng = _data(streams, "latlng")
    lat = lng = None
    if latlng is not None and len(latlng) == n:
        lat = lay([p[0] if p else None for p in latlng])
        lng = lay([p[1] if p else None for p in latlng])

    moving = _moving(seconds, length, _data(streams, "moving"))
    return Streams(
        time_s=np.arange(length, dtype=np.int64),
        moving=moving,
        power=lay(_data(streams, "watts")),
        heart_rate=lay(_data(streams, "heartrate")),
        cadence=lay(_data(streams, "cadence")),
        speed=lay(_data(streams, "velocity_smooth")),
        distance=lay(_data(streams, "distance")),
        altitude=lay(_data(streams, "altitude")),
        lat=lat,
        lng=lng,
        temperature=lay(_data(streams, "temp")),
    )


def _moving(seconds: np.ndarray, length: int, flags: list[Any] | None) -> np.ndarray:
    sample_moving = (
        np.asarray([bool(f) for f in flags], dtype=bool)
        if flags is not None and len(flags) == len(seconds)
        else np.ones(len(seconds), dtype=bool)
    )
    # Each second between two samples takes the flag of the sample that closes it,
    # unless the silence is long enough to be a pause.
    closing = np.searchsorted(seconds, np.arange(length), side="left")
    moving = sample_moving[closing]
    gaps = np.diff(seconds)
    for index in np.flatnonzero(gaps > PAUSE_GAP_S):
        moving[seconds[index] + 1 : seconds[index + 1]] = False
    return moving
