"""One activity's metric bundle: pick the active seconds, compute every metric once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from core.activities.parsed import ParsedActivity
from core.metrics.efficiency import decoupling_pct, efficiency_factor
from core.metrics.errors import MetricsInputError
from core.metrics.heart_rate import (
    average_hr,
    banister_trimp,
    edwards_trimp,
    hr_load,
    trimp_per_hour_at,
)
from core.metrics.pace import (
    BEST_EFFORT_DISTANCES_M,
    best_efforts,
    cumulative_distance,
    grade_adjusted_speed,
    normalised_speed,
    pace_s_per_km,
    speed_from,
)
from core.metrics.power import (
    POWER_CURVE_DURATIONS_S,
    intensity,
    power_for_normalisation,
    stress_load,
    variability_index,
)
from core.metrics.rolling import (
    NORMALISATION_WINDOW_S,
    fourth_power_mean_root,
    max_window_means,
    prefix_sum,
    rolling_means,
)
from core.metrics.swim import swim_intensity, swim_load, swim_time
from core.metrics.thresholds_in_force import Thresholds
from core.metrics.zones import HR_ZONES_RIDE, HR_ZONES_RUN, PACE_ZONES, POWER_ZONES, time_in_zones

# Manual entries: linear session-RPE (Foster: RPE × minutes) rescaled so that one hour at
# RPE 8 ("very hard", about what an athlete can hold for an hour) scores 100 like the
# other loads.
RPE_AT_THRESHOLD = 8.0


def manual_load(duration_s: float, rpe: int) -> float:
    """Load of a manual entry: hours × RPE / 8 × 100 (RPE on Borg's CR-10 scale, 1–10)."""
    _check_rpe(rpe)
    if not math.isfinite(duration_s) or duration_s < 0:
        raise MetricsInputError(
            f"duration must be a non-negative number of seconds, got {duration_s!r}"
        )
    return duration_s / 3600.0 * rpe / RPE_AT_THRESHOLD * 100.0


def _check_rpe(rpe: object) -> None:
    """Refuse an RPE that is not a whole number from 1 to 10 (a bool or 7.5 included: the
    value may come from a stored conversation step, whatever its annotation says)."""
    if isinstance(rpe, bool) or not isinstance(rpe, int) or not 1 <= rpe <= 10:
        raise MetricsInputError(f"RPE must be a whole number from 1 to 10, got {rpe!r}")


@dataclass
class ActivityMetrics:
    sport: str
    start: datetime
    elapsed_s: float
    moving_s: float
    active_s: float  # seconds that metrics were computed over (pauses removed)
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_power: float | None = None
    max_power: float | None = None
    weighted_power: float | None = None
    intensity: float | None = None
    variability_index: float | None = None
    load: float | None = None
    load_source: str | None = None  # "power" | "hr" | "pace_gap" | "pace" | "swim_pace" | "rpe"
    loads: dict[str, float | None] = field(default_factory=dict)  # every source that could score
    trimp: float | None = None  # Banister
    trimp_edwards: float | None = None
    efficiency_factor: float | None = None
    efficiency_factor_unit: str | None = None
    decoupling_pct: float | None = None
    graded_pace_s_per_km: float | None = None  # NGP-like, from grade-adjusted speed
    avg_pace_s_per_km: float | None = None
    swim_active_s: float | None = None
    swim_idle_s: float | None = None
    rpe: int | None = None
    zones: dict[str, list[dict[str, Any]] | None] = field(default_factory=dict)
    power_curve: dict[int, float] = field(default_factory=dict)  # duration s → best mean W
    best_efforts: dict[str, float] = field(default_factory=dict)  # name → seconds
    thresholds: Thresholds = field(default_factory=Thresholds)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: ISO 8601 UTC start, floats rounded to 4 places, missing values None."""
        out: dict[str, Any] = {"sport": self.sport, "start": _iso_utc(self.start)}
        out |= {
            name: _clean(getattr(self, name))
            for name in self.__dataclass_fields__
            if name not in ("start", "power_curve", "best_efforts", "thresholds", "zones", "loads")
        }
        out["loads"] = {k: _clean(v) for k, v in self.loads.items()}
        out["zones"] = {
            k: None if rows is None else [{n: _clean(v) for n, v in row.items()} for row in rows]
            for k, rows in self.zones.items()
        }
        out["power_curve"] = [
            {"duration_s": d, "watts": _clean(w)} for d, w in self.power_curve.items()
        ]
        out["best_efforts"] = [
            {"distance": n, "distance_m": BEST_EFFORT_DISTANCES_M[n], "time_s": _clean(t)}
            for n, t in self.best_efforts.items()
        ]
        out["thresholds"] = self.thresholds.to_dict()
        return out


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        value = float(value)
        return round(value, 4) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _iso_utc(start: datetime) -> str:
    from datetime import UTC

    if start.tzinfo is not None:
        start = start.astimezone(UTC)
    return start.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass
class _Active:
    """Channels restricted to moving seconds (pauses removed, active seconds concatenated)."""

    n: int
    power: np.ndarray | None
    heart_rate: np.ndarray | None
    speed: np.ndarray | None
    distance: np.ndarray | None
    altitude: np.ndarray | None

    @classmethod
    def of(cls, activity: ParsedActivity) -> _Active:
        s = activity.streams
        if s is None or len(s) == 0:
            return cls(0, None, None, None, None, None)
        moving = s.moving.astype(bool, copy=False)
        everything = bool(moving.all())

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            if a is None:
                return None
            a = a.astype(np.float64, copy=False)
            return a if everything else a[moving]

        n = len(s) if everything else int(np.count_nonzero(moving))
        return cls(
            n, pick(s.power), pick(s.heart_rate), pick(s.speed), pick(s.distance), pick(s.altitude)
        )


def compute_activity_metrics(
    activity: ParsedActivity, thresholds: Thresholds, *, rpe: int | None = None
) -> ActivityMetrics:
    """Every metric the activity's channels and the athlete's thresholds allow.

    Load source preference: power > heart rate > pace (run: grade-adjusted; swim: CSS)
    > RPE × duration. The source used is recorded in `load_source`; the others that could
    also score are kept in `loads` for comparison.
    """
    if rpe is not None:
        manual_load(0.0, rpe)  # validates the RPE before any work
    act = _Active.of(activity)
    duration_s = float(act.n) if act.n else float(activity.moving_s)
    m = ActivityMetrics(
        sport=str(activity.sport),
        start=activity.start,
        elapsed_s=float(activity.elapsed_s),
        moving_s=float(activity.moving_s),
        active_s=duration_s,
        distance_m=activity.distance_m,
        rpe=rpe,
        thresholds=thresholds,
    )
    family = activity.sport.family
    intensities: dict[str, float | None] = {}
    rolling_power = _power_metrics(m, act, thresholds, intensities)
    _hr_metrics(m, act, activity, thresholds, family)
    run_speed = _run_metrics(m, act, thresholds, intensities) if family == "run" else None
    if family == "swim":
        _swim_metrics(m, activity, thresholds, intensities)
    if rpe is not None:
        m.loads["rpe"] = manual_load(float(activity.moving_s or activity.elapsed_s), rpe)
    _efficiency(m, act, rolling_power, run_speed)
    _choose_load(m, intensities)
    return m


def _power_metrics(
    m: ActivityMetrics, act: _Active, th: Thresholds, intensities: dict[str, float | None]
) -> np.ndarray | None:
    """Power metrics; returns the 30 s rolling means for the decoupling halves."""
    m.zones["power"] = None
    if act.power is None or act.n == 0:
        return None
    p = power_for_normalisation(act.power)
    peak = float(p.max())
    if not peak > 0:  # a channel of zeros: no power meter (COROS writes such fields)
        return None
    csum = prefix_sum(p)
    rolling = rolling_means(csum, NORMALISATION_WINDOW_S)
    m.weighted_power = fourth_power_mean_root(rolling)
    m.avg_power = float(csum[-1]) / act.n
    m.max_power = peak
    m.variability_index = variability_index(m.weighted_power, m.avg_power)
    m.power_curve = max_window_means(csum, POWER_CURVE_DURATIONS_S)
    m.intensity = intensity(m.weighted_power, th.ftp_w)
    intensities["power"] = m.intensity
    m.loads["power"] = stress_load(m.active_s, m.intensity)
    if th.ftp_w is not None:
        m.zones["power"] = time_in_zones(act.power, POWER_ZONES, th.ftp_w)
    return rolling


def _hr_metrics(
    m: ActivityMetrics, act: _Active, activity: ParsedActivity, th: Thresholds, family: str
) -> None:
    hr = act.heart_rate
    peak = float(np.nanmax(hr, initial=0.0)) if hr is not None and act.n else 0.0
    stream = hr if hr is not None and peak > 0 else None
    if stream is not None:
        m.avg_hr = average_hr(stream)
        m.max_hr = peak
    else:
        m.avg_hr, m.max_hr = activity.avg_hr, activity.max_hr
    rest, hr_max, lthr, k = th.rest_hr_bpm, th.max_hr_bpm, th.lthr_bpm, th.trimp_k
    if rest is not None and hr_max is not None:
        if stream is not None:
            m.trimp = banister_trimp(stream, rest, hr_max, k)
        elif m.avg_hr:
            # No samples (summary-only sources): GoldenCheetah's average-HR form.
            m.trimp = trimp_per_hour_at(m.avg_hr, rest, hr_max, k) * m.active_s / 3600.0
        if lthr is not None:
            m.loads["hr"] = hr_load(m.trimp, lthr, rest, hr_max, k)
    if stream is not None and hr_max is not None:
        m.trimp_edwards = edwards_trimp(stream, hr_max)
    zones = HR_ZONES_RUN if family == "run" else HR_ZONES_RIDE
    m.zones["hr"] = (
        time_in_zones(stream, zones, lthr) if stream is not None and lthr is not None else None
    )


def _run_metrics(
    m: ActivityMetrics, act: _Active, th: Thresholds, intensities: dict[str, float | None]
) -> np.ndarray | None:
    """Pace metrics; returns the grade-adjusted speed for efficiency and decoupling."""
    dist = cumulative_distance(act.distance, act.speed) if act.n >= 2 else None
    m.zones["pace"] = None
    if dist is None:
        return None
    speed = speed_from(dist, act.speed)
    altitude = act.altitude
    if altitude is not None and not np.isfinite(altitude).any():
        altitude = None  # a channel of gaps only: the speed is used as is
    graded = altitude is not None
    flat_speed = grade_adjusted_speed(speed, altitude, dist) if altitude is not None else speed
    ngs = normalised_speed(flat_speed)
    m.graded_pace_s_per_km = pace_s_per_km(ngs)
    m.avg_pace_s_per_km = pace_s_per_km(float(dist[-1] - dist[0]) / act.n)
    m.best_efforts = best_efforts(dist)
    fts = th.threshold_speed_m_s
    source = "pace_gap" if graded else "pace"
    if fts is not None:
        intensities[source] = None if ngs is None else ngs / fts
        m.loads[source] = stress_load(m.active_s, intensities[source])
        m.zones["pace"] = time_in_zones(speed, PACE_ZONES, fts, whole=False)
    return flat_speed


def _swim_metrics(
    m: ActivityMetrics,
    activity: ParsedActivity,
    th: Thresholds,
    intensities: dict[str, float | None],
) -> None:
    t = swim_time(activity)
    m.swim_active_s, m.swim_idle_s = t.active_s, t.idle_s
    if t.distance_m is not None:
        m.distance_m = t.distance_m
    intensities["swim_pace"] = swim_intensity(t, th.css_m_s)
    m.loads["swim_pace"] = swim_load(t, th.css_m_s)


def _efficiency(
    m: ActivityMetrics,
    act: _Active,
    rolling_power: np.ndarray | None,
    run_speed: np.ndarray | None,
) -> None:
    hr = act.heart_rate
    w = NORMALISATION_WINDOW_S
    if hr is None or m.avg_hr is None or act.n < 2 * w:
        return
    half = act.n // 2
    hr1, hr2 = average_hr(hr[:half]), average_hr(hr[half:])
    if m.weighted_power is not None and rolling_power is not None:
        m.efficiency_factor = efficiency_factor(m.weighted_power, m.avg_hr)
        m.efficiency_factor_unit = "W/bpm"
        # Window k covers seconds k … k+29: the first half's windows end before `half`,
        # the second half's start at `half` (as if each half were a ride of its own).
        first = fourth_power_mean_root(rolling_power[: half - w + 1])
        second = fourth_power_mean_root(rolling_power[half:])
        m.decoupling_pct = decoupling_pct(first, hr1, second, hr2)
    elif run_speed is not None:
        ngs = normalised_speed(run_speed)
        m.efficiency_factor = efficiency_factor(None if ngs is None else ngs * 60.0, m.avg_hr)
        m.efficiency_factor_unit = "m/min/bpm"
        m.decoupling_pct = decoupling_pct(
            float(run_speed[:half].mean()), hr1, float(run_speed[half:].mean()), hr2
        )


def _choose_load(m: ActivityMetrics, intensities: dict[str, float | None]) -> None:
    for source in ("power", "hr", "pace_gap", "pace", "swim_pace", "rpe"):
        value = m.loads.get(source)
        if value is not None:
            m.load, m.load_source = value, source
            break
    if m.load_source in intensities:
        m.intensity = intensities[m.load_source]
    elif m.load is not None and m.active_s > 0:
        # HR and RPE loads have no native intensity: back-calculate it as intervals.icu does.
        m.intensity = math.sqrt(m.load / (m.active_s / 3600.0 * 100.0))
