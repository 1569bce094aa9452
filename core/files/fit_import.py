"""FIT activity files → one `ParsedActivity` per `session` message.

Decoded with Garmin's official `garmin_fit_sdk` (chosen over fitdecode after measuring both
on the fixtures: faster and reads the COROS misaligned-fields file; see docs/files.md).
The SDK hands back every message as a dict; records are turned into numpy columns in one
pass and everything after that is vectorised.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import garmin_fit_sdk
import numpy as np
from numpy.typing import NDArray

from core.activities.parsed import Lap, ParsedActivity, Sport, SwimLength
from core.files.errors import ActivityFileError, FileProblem
from core.files.fit_container import check_fit_container
from core.files.resample import build_streams, moving_mask_from_intervals
from core.files.sports import sport_from_fit
from core.files.track_samples import moving_stat

_FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z, origin of FIT date_time values
_SEMICIRCLE_DEG = 180.0 / 2**31

# Streams channel → record fields, preferred first (enhanced_* are the 32-bit versions).
_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "power": ("power",),
    "heart_rate": ("heart_rate",),
    "cadence": ("cadence",),
    "speed": ("enhanced_speed", "speed"),
    "distance": ("distance",),
    "altitude": ("enhanced_altitude", "altitude"),
    "lat": ("position_lat",),
    "lng": ("position_long",),
    "temperature": ("temperature",),
}

# Session fields kept in `device_summary` when the device wrote a non-zero value.
_DEVICE_SUMMARY_FIELDS = (
    "normalized_power",
    "intensity_factor",
    "training_stress_score",
    "threshold_power",
    "avg_power",
    "max_power",
    "total_work",
    "avg_heart_rate",
    "max_heart_rate",
    "total_calories",
    "total_elapsed_time",
    "total_timer_time",
    "total_distance",
    "total_ascent",
    "total_descent",
    "total_training_effect",
    "total_anaerobic_training_effect",
    "num_lengths",
    "num_active_lengths",
    "pool_length",
)
# Fields a device fills with 0 when the sensor was absent (COROS writes avg_power=0 and
# normalized_power=0 on rides without a power meter): meaningless without that stream.
_POWER_FIELDS = frozenset(
    {
        "normalized_power",
        "intensity_factor",
        "training_stress_score",
        "avg_power",
        "max_power",
        "total_work",
    }
)
# Sports whose FIT cadence counts one leg's cycles; we report steps per minute.
_STEP_SPORTS = frozenset({Sport.RUN, Sport.TRAIL_RUN, Sport.WALK, Sport.HIKE})


def parse_fit(data: bytes) -> list[ParsedActivity]:
    check_fit_container(data)
    messages = _decode(data)
    file_ids = messages.get("file_id_mesgs", [])
    file_type = file_ids[0].get("type") if file_ids else None
    if file_type not in (None, "activity"):
        raise ActivityFileError(
            FileProblem.NOT_AN_ACTIVITY,
            f"This FIT file is a {file_type} file, not a recorded activity. "
            "Send the activity file exported after your workout.",
        )
    records = [r for r in messages.get("record_mesgs", []) if "timestamp" in r]
    sessions = sorted(
        (s for s in messages.get("session_mesgs", []) if "start_time" in s),
        key=lambda s: s["start_time"],
    )
    if not sessions and not records:
        raise ActivityFileError(FileProblem.NOT_AN_ACTIVITY, fmt="FIT")
    if not sessions:
        sessions = [_session_from_records(records, messages.get("sport_mesgs", []))]

    columns = _record_columns(records)
    timer_stops = _timer_stops(messages.get("event_mesgs", []))
    offset = _utc_offset_s(messages.get("activity_mesgs", []))
    starts = [s["start_time"].timestamp() for s in sessions]
    laps = _split_by_start(messages.get("lap_mesgs", []), starts)
    lengths = _split_by_start(messages.get("length_mesgs", []), starts)

    activities = []
    for i, session in enumerate(sessions):
        t0 = starts[i]
        t1 = starts[i + 1] if i + 1 < len(sessions) else math.inf
        activities.append(
            _session_activity(session, columns, t0, t1, timer_stops, laps[i], lengths[i], offset)
        )
    return activities


def _decode(data: bytes) -> Mapping[str, Any]:
    """Message lists by name ("record_mesgs"), each message a dict of decoded values.

    The SDK's TypedDicts describe its raw values (a timestamp is `int | datetime`); read
    with the default conversions, timestamps are datetimes, so the dicts are read as such.
    """
    decoder = garmin_fit_sdk.Decoder(garmin_fit_sdk.Stream.from_byte_array(bytearray(data)))
    try:
        messages, errors = decoder.read()
    except Exception as exc:  # the SDK signals every decoding failure as a bare Exception
        raise ActivityFileError(FileProblem.CORRUPT, fmt="FIT", detail=str(exc)) from exc
    if errors:
        raise ActivityFileError(FileProblem.CORRUPT, fmt="FIT", detail=str(errors[0]))
    return messages


def _record_columns(records: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Record dicts → float64 columns (NaN where a record lacks the field)."""
    columns = {"t": np.fromiter((r["timestamp"].timestamp() for r in records), np.float64)}
    for channel, keys in _RECORD_FIELDS.items():
        key, *fallbacks = keys
        if fallbacks:
            alt = fallbacks[0]
            values = [r.get(key, r.get(alt)) for r in records]
        else:
            values = [r.get(key) for r in records]
        columns[channel] = _to_float(values)
    if not np.isnan(columns["lat"]).all():
        columns["lat"] *= _SEMICIRCLE_DEG
        columns["lng"] *= _SEMICIRCLE_DEG
    return columns


def _to_float(values: list[Any]) -> NDArray[np.float64]:
    # numpy reads None as NaN when it builds a float64 array, in C.
    return np.array(values, dtype=np.float64)


def _timer_stops(events: Sequence[dict[str, Any]]) -> list[tuple[float, float]]:
    """[stop, start) intervals in epoch seconds during which the device timer was stopped."""
    stops: list[tuple[float, float]] = []
    stopped_at: float | None = None
    timer_events = sorted(
        (e for e in events if e.get("event") == "timer" and "timestamp" in e),
        key=lambda e: e["timestamp"],
    )
    for event in timer_events:
        kind = str(event.get("event_type", ""))
        ts = event["timestamp"].timestamp()
        if kind.startswith("stop") and stopped_at is None:
            stopped_at = ts
        elif kind == "start" and stopped_at is not None:
            stops.append((stopped_at, ts))
            stopped_at = None
    if stopped_at is not None:
        stops.append((stopped_at, math.inf))
    return stops


def _utc_offset_s(activity_mesgs: Sequence[dict[str, Any]]) -> int | None:
    for activity in activity_mesgs:
        local, utc = activity.get("local_timestamp"), activity.get("timestamp")
        if isinstance(local, int) and isinstance(utc, datetime):
            offset = local + _FIT_EPOCH_S - utc.timestamp()
            # Devices write local time to the second; real offsets are whole quarter hours.
            return int(round(offset / 900) * 900)
    return None


def _split_by_start(
    messages: Sequence[dict[str, Any]], session_starts: Sequence[float]
) -> list[list[dict[str, Any]]]:
    groups: list[list[dict[str, Any]]] = [[] for _ in session_starts]
    for message in messages:
        start = message.get("start_time")
        if isinstance(start, datetime):
            i = max(bisect_right(session_starts, start.timestamp()) - 1, 0)
            groups[i].append(message)
    return groups


def _session_from_records(
    records: Sequence[dict[str, Any]], sport_mesgs: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """A device that crashed before writing its summary still recorded the workout."""
    sport = sport_mesgs[0] if sport_mesgs else {}
    first, last = records[0]["timestamp"], records[-1]["timestamp"]
    return {
        "start_time": first,
        "total_elapsed_time": (last - first).total_seconds(),
        "sport": sport.get("sport"),
        "sub_sport": sport.get("sub_sport"),
    }


def _session_activity(
    session: dict[str, Any],
    columns: dict[str, np.ndarray],
    t0: float,
    t_next: float,
    timer_stops: Sequence[tuple[float, float]],
    laps: Sequence[dict[str, Any]],
    lengths: Sequence[dict[str, Any]],
    utc_offset_s: int | None,
) -> ParsedActivity:
    sport = sport_from_fit(session.get("sport"), session.get("sub_sport"))
    t = columns["t"]
    t_end = t_next
    lo, hi = np.searchsorted(t, t0, side="left"), np.searchsorted(t, t_end, side="left")
    selected = {name: col[lo:hi] for name, col in columns.items() if name != "t"}
    if sport in _STEP_SPORTS:
        selected["cadence"] = selected["cadence"] * 2
    pauses = [(a - t0, b - t0) for a, b in timer_stops if b > t0 and a < t_end]
    streams = build_streams(t[lo:hi] - t0, selected, pauses)

    swim_lengths = [_swim_length(m) for m in lengths]
    moving_s = _number(session.get("total_timer_time"))
    if swim_lengths:
        moving_s = sum(sl.elapsed_s for sl in swim_lengths if sl.active)
        if streams is not None:
            streams.moving = _active_length_mask(len(streams), lengths, t0)
    if moving_s is None:
        moving_s = float(streams.moving.sum()) if streams is not None else 0.0
    # Some devices write a session elapsed time shorter than the span of their own records
    # (Edge 1000: 113 s for 126 s of records); elapsed is never shorter than the data.
    span = float(len(streams) - 1) if streams is not None else 0.0
    elapsed = max(_number(session.get("total_elapsed_time")) or 0.0, span)
    moving_s = min(moving_s, elapsed)

    recorded = set(streams.channels()) if streams is not None else set()
    start = datetime.fromtimestamp(t0, UTC)
    avg_cadence = _positive(session.get("avg_cadence"), needs="cadence", recorded=recorded)
    if avg_cadence is not None and sport in _STEP_SPORTS:
        avg_cadence *= 2

    def summary(key: str, channel: str, how: str = "mean") -> float | None:
        """The device's value when it wrote one, else computed from the stream."""
        device = _positive(session.get(key), needs=channel, recorded=recorded)
        return device if device is not None else moving_stat(streams, channel, how)

    return ParsedActivity(
        sport=sport,
        start=start,
        elapsed_s=elapsed,
        moving_s=moving_s,
        source_format="fit",
        sub_sport=_text(session.get("sub_sport")),
        distance_m=_positive(session.get("total_distance")),
        elevation_gain_m=_gain(session.get("total_ascent"), recorded),
        elevation_loss_m=_gain(session.get("total_descent"), recorded),
        avg_hr=summary("avg_heart_rate", "heart_rate"),
        max_hr=summary("max_heart_rate", "heart_rate", "max"),
        avg_power=summary("avg_power", "power"),
        max_power=summary("max_power", "power", "max"),
        avg_cadence=avg_cadence or moving_stat(streams, "cadence"),
        avg_speed=_positive(session.get("enhanced_avg_speed", session.get("avg_speed")))
        or moving_stat(streams, "speed"),
        max_speed=_positive(session.get("enhanced_max_speed", session.get("max_speed")))
        or moving_stat(streams, "speed", "max"),
        avg_temperature=_number(session.get("avg_temperature"))
        if session.get("avg_temperature") is not None
        else moving_stat(streams, "temperature"),
        calories=_positive(session.get("total_calories")),
        pool_length_m=_positive(session.get("pool_length")),
        laps=[_lap(m, recorded) for m in laps],
        swim_lengths=swim_lengths,
        streams=streams,
        device_summary=_device_summary(session, recorded),
        utc_offset_s=utc_offset_s,
    )


def _active_length_mask(n: int, lengths: Sequence[dict[str, Any]], t0: float) -> np.ndarray:
    active = [
        (
            m["start_time"].timestamp() - t0,
            m["start_time"].timestamp() - t0 + (_number(m.get("total_elapsed_time")) or 0.0),
        )
        for m in lengths
        if m.get("length_type") == "active" and isinstance(m.get("start_time"), datetime)
    ]
    return moving_mask_from_intervals(n, active)


def _swim_length(message: dict[str, Any]) -> SwimLength:
    strokes = message.get("total_strokes")
    return SwimLength(
        start=message["start_time"],
        elapsed_s=_number(message.get("total_timer_time", message.get("total_elapsed_time")))
        or 0.0,
        active=message.get("length_type") == "active",
        strokes=int(strokes) if isinstance(strokes, int | float) else None,
        stroke=_text(message.get("swim_stroke")),
    )


def _lap(message: dict[str, Any], recorded: set[str]) -> Lap:
    return Lap(
        start=message["start_time"],
        elapsed_s=_number(message.get("total_elapsed_time")) or 0.0,
        moving_s=_number(message.get("total_timer_time")),
        distance_m=_positive(message.get("total_distance")),
        avg_hr=_positive(message.get("avg_heart_rate")),
        avg_power=_positive(message.get("avg_power"), needs="power", recorded=recorded),
        avg_speed=_positive(message.get("enhanced_avg_speed", message.get("avg_speed"))),
    )


def _device_summary(session: dict[str, Any], recorded: set[str]) -> dict[str, float]:
    summary = {}
    for key in _DEVICE_SUMMARY_FIELDS:
        if key in _POWER_FIELDS and "power" not in recorded:
            continue
        value = _positive(session.get(key))
        if value is not None:
            summary[key] = value
    return summary


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _positive(
    value: object, *, needs: str | None = None, recorded: set[str] | None = None
) -> float | None:
    """A summary value, or None when it is 0 (devices write 0 for "no sensor") or absent,
    or when it describes a channel (`needs`) that was not recorded."""
    if needs is not None and recorded is not None and needs not in recorded:
        return None
    number = _number(value)
    return number if number is not None and number > 0 else None


def _gain(value: object, recorded: set[str]) -> float | None:
    # 0 m of climbing is a real flat ride when altitude was recorded.
    return _number(value) if "altitude" in recorded else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
