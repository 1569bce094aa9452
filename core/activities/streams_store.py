"""Activity streams at rest: one compressed numpy archive per activity.

A 2-hour ride is ~7,200 samples × 9 channels; as JSON numbers that is megabytes per
activity, as a zlib-compressed `.npz` of float32 arrays it is a few tens of kilobytes and
loads back as arrays with no per-sample Python. NaN (a sample the device did not write) is
kept as NaN, never turned into 0.
"""

from __future__ import annotations

import io

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.parsed import Streams
from core.db.models import ActivityStream
from core.errors import InvalidInput

# float32 keeps 7 significant digits: plenty for watts, bpm, rpm, m/s, metres of altitude
# or cumulative distance (0.06 m at 1,000 km). Coordinates need ~1e-7° (1 cm), so they stay
# float64.
_FLOAT64_CHANNELS = frozenset({"lat", "lng"})


def _dtype_of(channel: str) -> type[np.floating]:
    return np.float64 if channel in _FLOAT64_CHANNELS else np.float32


def encode_streams(streams: Streams) -> tuple[bytes, list[str]]:
    """The archive bytes and the names of the recorded channels."""
    n = len(streams)
    channels = streams.channels()
    for name, array in channels.items():
        if array.shape != (n,):
            raise InvalidInput(
                "refuse_stream_length", name=name, samples=str(array.shape), expected=n
            )
    if streams.moving.shape != (n,):
        raise InvalidInput("refuse_moving_flags_do_not_line_up_with")
    arrays: dict[str, np.ndarray] = {
        "time_s": np.asarray(streams.time_s, dtype=np.int32),
        "moving": np.asarray(streams.moving, dtype=np.bool_),
    }
    for name, array in channels.items():
        arrays[name] = np.asarray(array, dtype=_dtype_of(name))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue(), list(channels)


def decode_streams(data: bytes) -> Streams:
    # allow_pickle=False: the archive holds plain numeric arrays only, never objects.
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        channels = {
            name: archive[name].astype(np.float64) for name in Streams.CHANNELS if name in archive
        }
        return Streams(
            time_s=archive["time_s"].astype(np.int64),
            moving=archive["moving"].astype(bool),
            **channels,
        )


async def save_streams(session: AsyncSession, activity_id: int, streams: Streams) -> ActivityStream:
    """Store (or replace) the streams of one activity."""
    data, channels = encode_streams(streams)
    row = await session.get(ActivityStream, activity_id)
    if row is None:
        row = ActivityStream(activity_id=activity_id)
        session.add(row)
    row.n_samples = len(streams)
    row.channels = channels
    row.data = data
    await session.flush()
    return row


async def load_streams(session: AsyncSession, activity_id: int) -> Streams | None:
    """The stored streams of an activity, or None when it has none (summary-only sources)."""
    row = await session.get(ActivityStream, activity_id)
    return None if row is None else decode_streams(row.data)
