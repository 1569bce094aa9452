"""Performance management chart: fitness, fatigue, form, ramp rate, monotony and strain.

Inputs are daily loads (rest days 0) as a 1-D array (days) or a 2-D array
(athletes × days); every function is vectorised across athletes. Recompute can start
at the earliest affected day: pass that day's predecessor values as `ctl0`/`atl0` (and
the previous days' loads/fitness for monotony and ramp rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.metrics.errors import MetricsInputError

FITNESS_DAYS = 42
FATIGUE_DAYS = 7
RAMP_DAYS = 7
FOSTER_WINDOW_DAYS = 7
# Days per matrix block of the recurrence; small enough that a^BLOCK stays far from
# underflow and the triangular matmul stays cheap, large enough to amortise Python calls.
_BLOCK_DAYS = 16

Model = Literal["exponential", "simple"]


@dataclass
class PMCSeries:
    """Per-day series, same shape as the input load (athletes × days, or days).

    ctl = Fitness, atl = Fatigue, tsb = Form (human labels; the short keys are for code).
    """

    load: np.ndarray
    ctl: np.ndarray
    atl: np.ndarray
    tsb: np.ndarray
    ramp: np.ndarray  # Fitness change over the last 7 days
    monotony: np.ndarray  # NaN where the 7-day window is incomplete or has no spread
    strain: np.ndarray

    @property
    def last_ctl(self) -> np.ndarray | float:
        return _scalar_or(self.ctl[..., -1])

    @property
    def last_atl(self) -> np.ndarray | float:
        return _scalar_or(self.atl[..., -1])

    def to_dict(self) -> dict[str, list[Any]]:
        """JSON-able lists (NaN → None), nested per athlete for a 2-D series."""
        return {name: _json_list(a) for name, a in self.__dict__.items()}


def _json_list(a: np.ndarray) -> list[Any]:
    rounded = np.round(a, 4).astype(object)
    rounded[np.isnan(a)] = None
    values: list[Any] = rounded.tolist()
    return values


def _scalar_or(a: np.ndarray) -> np.ndarray | float:
    return float(a) if a.ndim == 0 else a


def decay(days: float, model: Model = "exponential") -> float:
    """Day-to-day retention: e^{−1/τ} (impulse-response form) or 1 − 1/τ (simple EWMA)."""
    if days <= 0:
        raise MetricsInputError(f"time constant must be positive, got {days!r}")
    if model == "exponential":
        return math.exp(-1.0 / days)
    if model == "simple":
        return 1.0 - 1.0 / days
    raise MetricsInputError(f"unknown PMC model {model!r}: use 'exponential' or 'simple'")


def ewma(load: np.ndarray, retention: float, seed: np.ndarray | float = 0.0) -> np.ndarray:
    """x_d = r·x_{d−1} + (1−r)·L_d with x_{−1} = seed, along the last axis."""
    load = np.asarray(load, dtype=np.float64)
    by_day = _time_major(load)
    athletes = by_day.shape[1]
    seed_row = np.broadcast_to(np.asarray(seed, dtype=np.float64), load.shape[:-1]).reshape(-1)
    out = _ewma_time_major(by_day, retention, np.broadcast_to(seed_row, (athletes,)))
    return _from_time_major(out, load.shape)


def _time_major(load: np.ndarray) -> np.ndarray:
    """(days, athletes), C-contiguous: one day's values for every athlete are adjacent."""
    return np.ascontiguousarray(load.reshape(-1, load.shape[-1]).T)


def _from_time_major(by_day: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return by_day.T.reshape(shape)


def _ewma_time_major(by_day: np.ndarray, retention: float, seed: np.ndarray) -> np.ndarray:
    """The recurrence on (days, athletes), a block of days at a time.

    A Python loop over days would cost one numpy call per day; instead each block is one
    small matmul with the lower-triangular impulse response, vectorised across athletes.
    """
    days = by_day.shape[0]
    out = np.empty_like(by_day)
    block = min(_BLOCK_DAYS, max(days, 1))
    lag = np.arange(block)[:, None] - np.arange(block)[None, :]
    response = np.where(lag >= 0, (1.0 - retention) * retention ** np.maximum(lag, 0), 0.0)
    carry = (retention ** np.arange(1, block + 1))[:, None]
    state = seed.astype(np.float64, copy=True)
    for start in range(0, days, block):
        width = min(block, days - start)
        chunk = out[start : start + width]
        np.matmul(response[:width, :width], by_day[start : start + width], out=chunk)
        chunk += carry[:width] * state
        state = chunk[-1]
    return out


def pmc(
    daily_load: np.ndarray,
    ctl0: np.ndarray | float = 0.0,
    atl0: np.ndarray | float = 0.0,
    *,
    model: Model = "exponential",
    form_today: bool = False,
    prior_load: np.ndarray | None = None,
    prior_ctl: np.ndarray | None = None,
    fitness_days: float = FITNESS_DAYS,
    fatigue_days: float = FATIGUE_DAYS,
) -> PMCSeries:
    """Fitness/fatigue/form from daily loads, seeded with the day-before values.

    Form of day d is Fitness(d−1) − Fatigue(d−1) (TrainingPeaks convention; day 0 uses
    the seeds) unless `form_today`. `prior_load`: loads of the days just before day 0
    (last axis, most recent last) so monotony has full 7-day windows from day 0;
    `prior_ctl`: Fitness of the days before day 0 for the ramp rate (default: the seed,
    i.e. flat before the series).
    """
    load = np.asarray(daily_load, dtype=np.float64)
    if load.ndim not in (1, 2):
        raise MetricsInputError("daily load must be a 1-D (days) or 2-D (athletes × days) array")
    if not np.isfinite(load).all() or (load < 0).any():
        raise MetricsInputError("daily load must be finite and non-negative (rest days are 0)")
    lead = load.shape[:-1]
    ctl_seed = np.broadcast_to(np.asarray(ctl0, dtype=np.float64), lead).reshape(-1)
    atl_seed = np.broadcast_to(np.asarray(atl0, dtype=np.float64), lead).reshape(-1)
    # Everything is computed on (days, athletes) so each step reads contiguous rows;
    # the results are returned as transposed views in the caller's shape.
    by_day = _time_major(load)
    ctl = _ewma_time_major(by_day, decay(fitness_days, model), ctl_seed)
    atl = _ewma_time_major(by_day, decay(fatigue_days, model), atl_seed)
    tsb = np.empty_like(ctl)
    if form_today:
        np.subtract(ctl, atl, out=tsb)
    else:
        tsb[0] = ctl_seed - atl_seed
        np.subtract(ctl[:-1], atl[:-1], out=tsb[1:])
    ramp = _ramp_time_major(ctl, ctl_seed, _prior_ctl_by_day(prior_ctl, lead))
    monotony, strain = _foster_time_major(by_day, _prior_by_day(prior_load, lead))
    ctl, atl, tsb, ramp, monotony, strain = (
        _from_time_major(a, load.shape) for a in (ctl, atl, tsb, ramp, monotony, strain)
    )
    return PMCSeries(load, ctl, atl, tsb, ramp, monotony, strain)


def _prior_ctl_by_day(prior_ctl: np.ndarray | None, lead: tuple[int, ...]) -> np.ndarray | None:
    if prior_ctl is None:
        return None
    prior = np.asarray(prior_ctl, dtype=np.float64)[..., -RAMP_DAYS:]
    return _time_major(np.broadcast_to(prior, (*lead, prior.shape[-1])))


def _ramp_time_major(ctl: np.ndarray, seed: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
    """CTL(d) − CTL(d−7); before the series, the stored fitness or else the seed."""
    history = np.repeat(seed[None, :], RAMP_DAYS, axis=0)
    if prior is not None:
        history[RAMP_DAYS - prior.shape[0] :] = prior
    ramp = np.empty_like(ctl)
    head = min(RAMP_DAYS, ctl.shape[0])
    np.subtract(ctl[:head], history[:head], out=ramp[:head])
    np.subtract(ctl[RAMP_DAYS:], ctl[:-RAMP_DAYS], out=ramp[RAMP_DAYS:])
    return ramp


def foster(
    daily_load: np.ndarray, prior_load: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Monotony = mean/SD (population) and strain = sum × monotony over 7-day windows.

    NaN where the window reaches before the known history, or where SD is 0
    (identical days, all rest), since monotony is then undefined.
    """
    load = np.asarray(daily_load, dtype=np.float64)
    monotony, strain = _foster_time_major(
        _time_major(load), _prior_by_day(prior_load, load.shape[:-1])
    )
    return _from_time_major(monotony, load.shape), _from_time_major(strain, load.shape)


def _prior_by_day(prior_load: np.ndarray | None, lead: tuple[int, ...]) -> np.ndarray | None:
    if prior_load is None:
        return None
    prior = np.asarray(prior_load, dtype=np.float64)[..., -(FOSTER_WINDOW_DAYS - 1) :]
    prior = np.broadcast_to(prior, (*lead, prior.shape[-1]))
    return _time_major(prior)


_FOSTER_CHUNK_DAYS = 32  # rows per pass: keeps the window temporaries in cache (measured best)


def _foster_time_major(
    by_day: np.ndarray, prior: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    w = FOSTER_WINDOW_DAYS
    days, athletes = by_day.shape
    known = 0 if prior is None else prior.shape[0]
    ext = np.zeros((days + w - 1, athletes))
    if known:
        ext[w - 1 - known : w - 1] = prior
    ext[w - 1 :] = by_day
    monotony = np.empty_like(by_day)
    strain = np.empty_like(by_day)
    for start in range(0, days, _FOSTER_CHUNK_DAYS):
        stop = min(start + _FOSTER_CHUNK_DAYS, days)
        _foster_rows(ext[start : stop + w - 1], monotony[start:stop], strain[start:stop])
    monotony[: max(w - 1 - known, 0)] = np.nan
    strain[: max(w - 1 - known, 0)] = np.nan
    return monotony, strain


def _foster_rows(ext: np.ndarray, monotony: np.ndarray, strain: np.ndarray) -> None:
    """Seven shifted slices rather than a cumsum difference: no cancellation, so a week of
    identical days gives an SD of exactly 0 instead of rounding noise."""
    w = FOSTER_WINDOW_DAYS
    rows = monotony.shape[0]
    total = ext[0:rows].copy()
    for k in range(1, w):
        total += ext[k : k + rows]
    mean = total / w
    sq = np.zeros_like(total)
    diff = np.empty_like(total)
    for k in range(w):
        np.subtract(ext[k : k + rows], mean, out=diff)
        np.multiply(diff, diff, out=diff)
        sq += diff
    sd = np.sqrt(sq / w, out=sq)
    spread = sd > 1e-9 * np.maximum(mean, 1.0)
    monotony.fill(np.nan)
    np.divide(mean, sd, out=monotony, where=spread)
    np.multiply(total, monotony, out=strain)


def forecast(
    pmc_last_ctl: np.ndarray | float,
    pmc_last_atl: np.ndarray | float,
    planned_daily_load: np.ndarray,
    *,
    days: int | None = None,
    model: Model = "exponential",
    prior_load: np.ndarray | None = None,
) -> PMCSeries:
    """Project the PMC from the last known day over planned loads (day 0 = the next day).

    `days` extends the projection to any horizon: days past the plan are rest (0).
    """
    planned = np.asarray(planned_daily_load, dtype=np.float64)
    if days is not None:
        if days < planned.shape[-1]:
            planned = planned[..., :days]
        else:
            pad = [(0, 0)] * (planned.ndim - 1) + [(0, days - planned.shape[-1])]
            planned = np.pad(planned, pad)
    return pmc(planned, pmc_last_ctl, pmc_last_atl, model=model, prior_load=prior_load)


def daily_load_array(day_index: np.ndarray, loads: np.ndarray, days: int) -> np.ndarray:
    """Sum session loads into days (index 0 … days−1, the athlete's local calendar days)."""
    idx = np.asarray(day_index, dtype=np.intp)
    if idx.size and (idx.min() < 0 or idx.max() >= days):
        raise MetricsInputError("a session's day falls outside the requested range")
    return np.bincount(idx, weights=np.asarray(loads, dtype=np.float64), minlength=days)
