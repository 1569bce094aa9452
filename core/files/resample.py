"""Turn irregular samples (smart recording, pauses) into the 1 Hz `Streams` of metrics.md §0.

Rules (metrics.md §0, "Recommended default"):
* the grid is every whole second from the session start to the last sample;
* a second without a sample holds the previous sample's value when the gap between the two
  samples around it is at most `MAX_HOLD_GAP_S` (a smart-recording device writes a sample
  when a value changes);
* a longer gap is a pause: its seconds are NaN and `moving=False`;
* seconds in a timer pause (FIT timer stop → start) are `moving=False` too, and hold no value
  unless the device actually wrote a sample then.
Metrics drop `moving=False` seconds and concatenate the rest; this module never inserts zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.activities.parsed import Streams

MAX_HOLD_GAP_S = 30


def build_streams(
    t_s: np.ndarray,
    channels: Mapping[str, np.ndarray],
    pauses: Sequence[tuple[float, float]] = (),
) -> Streams | None:
    """Resample samples at elapsed seconds `t_s` (sorted, float) onto the 1 Hz grid.

    `channels` maps a `Streams` channel name to float values aligned with `t_s` (NaN where
    that sample lacks the field); a channel that is NaN everywhere becomes None.
    `pauses` are half-open [stop, start) intervals in elapsed seconds where the timer ran not.
    """
    if t_s.size == 0:
        return None
    sec = np.floor(t_s).astype(np.int64)
    keep = sec >= 0
    sec = sec[keep]
    if sec.size == 0:
        return None
    n = int(sec[-1]) + 1
    grid = np.arange(n, dtype=np.int64)
    # Index of the last sample at or before each second; with duplicate seconds the last wins.
    idx = np.searchsorted(sec, grid, side="right") - 1
    # Seconds before the first sample (a swim's first record comes at the end of its first
    # length) have nothing to hold; they count as a gap up to that sample.
    before_first = idx < 0
    idx = np.maximum(idx, 0)
    exact = sec[idx] == grid
    gap_after = np.diff(sec, append=sec[-1])[idx]
    gap_after[before_first] = sec[0]
    timer_paused = _in_intervals(grid, pauses)
    gap_paused = ~exact & (gap_after > MAX_HOLD_GAP_S)
    has_value = (exact | ~(gap_paused | timer_paused)) & ~before_first
    moving = ~(timer_paused | gap_paused)

    values: dict[str, np.ndarray | None] = {}
    for name, raw in channels.items():
        arr = np.asarray(raw, dtype=np.float64)[keep]
        if np.isnan(arr).all():
            values[name] = None
            continue
        out = arr[idx]
        out[~has_value] = np.nan
        values[name] = out
    return Streams(time_s=grid, moving=moving, **values)


def moving_mask_from_intervals(n: int, active: Sequence[tuple[float, float]]) -> np.ndarray:
    """True for the seconds covered by any half-open [start, end) interval."""
    return _in_intervals(np.arange(n, dtype=np.int64), active)


def _in_intervals(grid: np.ndarray, intervals: Sequence[tuple[float, float]]) -> np.ndarray:
    mask = np.zeros(grid.shape[0], dtype=bool)
    for start, end in intervals:
        lo = int(np.ceil(max(start, 0.0)))
        hi = int(np.ceil(min(end, float(grid.shape[0]))))
        if hi > lo:
            mask[lo:hi] = True
    return mask
