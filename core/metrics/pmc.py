"""Performance management chart: fitness, fatigue, form, ramp rate, monotony and strain.

Inputs are daily loads (rest days 0) as a 1-D array (days) or a 2-D array
(athletes × days); every function is vectorised across athletes. Recompute can start
at the earliest affected day: pass that day's predecessor values as `ctl0`/`atl0` (and
the previous days' loads/fitness for monotony and ramp rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.metrics.errors import MetricsInputError

FITNESS_DAYS = 42
FATIGUE_DAYS = 7
RAMP_DAYS = 7
FOSTER_WINDOW_DAYS = 7
# Days per matrix block of the recurrence; small enough that a^BLOCK stays far from
# underflow and the triangular matmul stays cheap, large enough to amortise Python calls.
_BLOCK_DAYS = 32

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

    def to_dict(self) -> dict[str, list]:
        """JSON-able lists (NaN → None)."""
        return {
            name: np.where(np.isnan(a), None, np.round(a, 4)).tolist()
            for name, a in self.__dict__.items()
        }


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
    """x_d = r·x_{d−1} + (1−r)·L_d with x_{−1} = seed, along the last axis.

    A Python loop over days would cost one numpy call per day; instead each block of
    days is one matmul with the lower-triangular impulse response, which also
    vectorises across athletes.
    """
    load = np.asarray(load, dtype=np.float64)
    lead = load.shape[:-1]
    days = load.shape[-1]
    flat = load.reshape(-1, days)
    state = np.broadcast_to(np.asarray(seed, dtype=np.float64), lead).reshape(-1).copy()
    out = np.empty_like(flat)
    block = min(_BLOCK_DAYS, max(days, 1))
    lag = np.arange(block)[:, None] - np.arange(block)[None, :]
    response = np.where(lag >= 0, (1.0 - retention) * retention ** np.maximum(lag, 0), 0.0)
    carry = retention ** np.arange(1, block + 1)
    for start in range(0, days, block):
        stop = min(start + block, days)
        width = stop - start
        chunk = flat[:, start:stop] @ response[:width, :width].T
        chunk += state[:, None] * carry[None, :width]
        out[:, start:stop] = chunk
        state = chunk[:, -1]
    return out.reshape(load.shape)


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
    ctl_seed = np.broadcast_to(np.asarray(ctl0, dtype=np.float64), lead)
    atl_seed = np.broadcast_to(np.asarray(atl0, dtype=np.float64), lead)
    ctl = ewma(load, decay(fitness_days, model), ctl_seed)
    atl = ewma(load, decay(fatigue_days, model), atl_seed)
    if form_today:
        tsb = ctl - atl
    else:
        tsb = np.empty_like(ctl)
        tsb[..., 0] = ctl_seed - atl_seed
        tsb[..., 1:] = ctl[..., :-1] - atl[..., :-1]
    ramp = _ramp(ctl, ctl_seed, prior_ctl)
    monotony, strain = foster(load, prior_load)
    return PMCSeries(load, ctl, atl, tsb, ramp, monotony, strain)


def _ramp(ctl: np.ndarray, seed: np.ndarray, prior_ctl: np.ndarray | None) -> np.ndarray:
    lead = ctl.shape[:-1]
    history = np.repeat(seed[..., None], RAMP_DAYS, axis=-1)
    if prior_ctl is not None:
        prior = np.asarray(prior_ctl, dtype=np.float64)[..., -RAMP_DAYS:]
        history[..., RAMP_DAYS - prior.shape[-1] :] = np.broadcast_to(
            prior, (*lead, prior.shape[-1])
        )
    extended = np.concatenate([history, ctl], axis=-1)
    return ctl - extended[..., : ctl.shape[-1]]


def foster(
    daily_load: np.ndarray, prior_load: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Monotony = mean/SD (population) and strain = sum × monotony over 7-day windows.

    NaN where the window reaches before the known history, or where SD is 0
    (identical days, all rest), since monotony is then undefined.
    """
    load = np.asarray(daily_load, dtype=np.float64)
    w = FOSTER_WINDOW_DAYS
    lead, days = load.shape[:-1], load.shape[-1]
    known = 0
    history = np.zeros((*lead, w - 1))
    if prior_load is not None:
        prior = np.asarray(prior_load, dtype=np.float64)[..., -(w - 1) :]
        known = prior.shape[-1]
        if known:
            history[..., w - 1 - known :] = np.broadcast_to(prior, (*lead, known))
    ext = np.concatenate([history, load], axis=-1)
    # Seven shifted slices rather than a cumsum difference: no cancellation, so a week of
    # identical days gives an SD of exactly 0 instead of rounding noise.
    total = ext[..., 0:days].copy()
    for k in range(1, w):
        total += ext[..., k : k + days]
    mean = total / w
    sq = np.zeros_like(total)
    for k in range(w):
        diff = ext[..., k : k + days] - mean
        sq += diff * diff
    sd = np.sqrt(sq / w)
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = np.where(sd > 1e-9 * np.maximum(mean, 1.0), mean / sd, np.nan)
    monotony[..., : max(w - 1 - known, 0)] = np.nan
    return monotony, total * monotony


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
