"""The 1 Hz grid follows metrics.md §0: hold short gaps, pause long ones, never invent zeros."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.activities.parsed import Streams
from core.files.resample import build_streams


def grid(
    t_s: np.ndarray, channels: Mapping[str, np.ndarray], pauses: Sequence[tuple[float, float]] = ()
) -> Streams:
    streams = build_streams(t_s, channels, pauses)
    assert streams is not None, "samples make a grid"
    return streams


def test_short_gaps_hold_previous_value():
    streams = grid(np.array([0.0, 3.0, 5.0]), {"power": np.array([100.0, 200.0, 0.0])})
    assert streams.power is not None
    assert streams.power.tolist() == [100, 100, 100, 200, 200, 0]
    assert streams.moving.all()


def test_long_gap_is_a_pause_with_no_values():
    t = np.array([0.0, 1.0, 40.0, 41.0])
    streams = grid(t, {"heart_rate": np.array([120.0, 121.0, 130.0, 131.0])})
    assert len(streams) == 42
    assert streams.moving[:2].all() and streams.moving[40:].all()
    assert not streams.moving[2:40].any()
    assert streams.heart_rate is not None
    assert np.isnan(streams.heart_rate[2:40]).all()
    assert int(streams.moving.sum()) == 4


def test_timer_pause_marks_seconds_not_moving():
    t = np.arange(0.0, 20.0)
    streams = grid(t, {"power": np.full(20, 150.0)}, pauses=[(5.0, 10.0)])
    assert not streams.moving[5:10].any()
    assert streams.moving[:5].all() and streams.moving[10:].all()
    # the device did write samples while stopped: they are kept, just not moving
    assert streams.power is not None
    assert (streams.power[5:10] == 150).all()


def test_missing_field_stays_nan_and_absent_channel_is_none():
    t = np.array([0.0, 1.0, 2.0])
    streams = grid(t, {"power": np.array([200.0, np.nan, 210.0]), "cadence": np.full(3, np.nan)})
    assert streams.power is not None
    assert np.isnan(streams.power[1])
    assert streams.cadence is None


def test_duplicate_second_keeps_last_sample():
    streams = grid(np.array([0.0, 0.5, 1.0]), {"power": np.array([1.0, 2.0, 3.0])})
    assert streams.power is not None
    assert streams.power.tolist() == [2, 3]
