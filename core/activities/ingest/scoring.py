"""An activity's scores: filled from its metrics, and recomputed when thresholds change.

Metrics are computed with the thresholds in force on the activity's local day
(`core.load.threshold_history`); an activity scored with thresholds entered after its date
says so (`thresholds_assumed_from`).
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.parsed import ParsedActivity, Sport, Streams, SwimLength
from core.activities.streams_store import load_streams
from core.clock import Clock
from core.db.models import Activity
from core.load import daily as training_load
from core.load.threshold_history import (
    ThresholdsInForce,
    scored_by_entry_from,
    set_thresholds,
    thresholds_for_scoring,
)
from core.metrics import ActivityMetrics, compute_activity_metrics
from core.planning import matching


def fill_scores(activity: Activity, parsed: ParsedActivity, m: ActivityMetrics) -> None:
    activity.sport = Sport(parsed.sport).value
    activity.name = (parsed.name or _default_name(parsed.sport))[:200]
    activity.start_utc = parsed.start.astimezone(UTC)
    activity.elapsed_s = float(parsed.elapsed_s)
    activity.moving_s = float(parsed.moving_s)
    activity.distance_m = m.distance_m if m.distance_m is not None else parsed.distance_m
    activity.distance_from_gps = parsed.distance_from_gps
    activity.elevation_gain_m = parsed.elevation_gain_m
    activity.elevation_loss_m = parsed.elevation_loss_m
    activity.max_speed = parsed.max_speed
    activity.avg_speed = parsed.avg_speed
    activity.avg_cadence = parsed.avg_cadence
    activity.calories = parsed.calories
    channels = list(parsed.streams.channels()) if parsed.streams is not None else []
    activity.data_quality = {
        "channels": channels,
        "n_samples": len(parsed.streams) if parsed.streams is not None else 0,
        "source_format": parsed.source_format,
        "distance_from_gps": parsed.distance_from_gps,
        "pauses_s": max(float(parsed.elapsed_s) - float(parsed.moving_s), 0.0),
    }
    extras: dict[str, Any] = {"device_summary": dict(parsed.device_summary)}
    if parsed.swim_lengths:
        # Lengths are not streams; swim load needs them again when thresholds change.
        extras["swim"] = {
            "pool_length_m": parsed.pool_length_m,
            "lengths": [[s.elapsed_s, s.active] for s in parsed.swim_lengths],
        }
    elif parsed.pool_length_m:
        extras["swim"] = {"pool_length_m": parsed.pool_length_m, "lengths": []}
    activity.metrics = {**m.to_dict(), **extras}
    _apply_scores(activity, m)


def note_thresholds(activity: Activity, in_force: ThresholdsInForce) -> None:
    """Say on the activity when it was scored with thresholds entered after its date."""
    metrics = dict(activity.metrics or {})
    metrics.pop("thresholds_assumed_from", None)
    if in_force.assumed and in_force.valid_from is not None:
        metrics["thresholds_assumed_from"] = in_force.valid_from.isoformat()
    activity.metrics = metrics


def thresholds_assumed_from(activity: Activity) -> date | None:
    """The date of the thresholds an activity was scored with when none held on its day."""
    value = (activity.metrics or {}).get("thresholds_assumed_from")
    return date.fromisoformat(value) if value else None


def _apply_scores(activity: Activity, m: ActivityMetrics) -> None:
    activity.avg_hr = m.avg_hr
    activity.max_hr = m.max_hr
    activity.avg_power = m.avg_power
    activity.max_power = m.max_power
    activity.weighted_power = m.weighted_power
    activity.intensity = _round(m.intensity, 3)
    activity.load = _round(m.load, 1)
    activity.load_source = m.load_source
    activity.trimp = _round(m.trimp, 1)


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(float(value), places)


def _default_name(sport: Sport | str) -> str:
    return str(sport).replace("_", " ").capitalize()


def _rebuild(activity: Activity, streams: Streams | None) -> ParsedActivity:
    """The stored activity back as a ParsedActivity, enough for the metrics engine."""
    swim = (activity.metrics or {}).get("swim") or {}
    return ParsedActivity(
        sport=Sport(activity.sport),
        start=activity.start_utc,
        elapsed_s=activity.elapsed_s,
        moving_s=activity.moving_s,
        source_format=(activity.data_quality or {}).get("source_format", activity.source),
        timezone=activity.timezone,
        distance_m=activity.distance_m,
        distance_from_gps=activity.distance_from_gps,
        avg_hr=activity.avg_hr,
        max_hr=activity.max_hr,
        avg_power=activity.avg_power,
        max_power=activity.max_power,
        avg_speed=activity.avg_speed,
        pool_length_m=swim.get("pool_length_m"),
        swim_lengths=[
            SwimLength(start=activity.start_utc, elapsed_s=float(seconds), active=bool(active))
            for seconds, active in swim.get("lengths", [])
        ],
        streams=streams,
    )


async def rescore(session: AsyncSession, activity: Activity) -> None:
    parsed = _rebuild(activity, await load_streams(session, activity.id))
    in_force = await thresholds_for_scoring(session, activity.user_id, activity.local_date)
    m = compute_activity_metrics(parsed, in_force.values, rpe=activity.rpe)
    extras = {k: v for k, v in (activity.metrics or {}).items() if k in ("swim", "device_summary")}
    activity.metrics = {**m.to_dict(), **extras}
    note_thresholds(activity, in_force)
    _apply_scores(activity, m)


async def recompute_after_threshold_change(
    session: AsyncSession, clock: Clock, athlete_id: int, valid_from: date
) -> int:
    """Rescore the activities an entry dated `valid_from` scores; returns how many.

    That is every activity from `valid_from` on, and every earlier one too when no entry
    comes before it (those assume the earliest entry). Call it in the same unit of work
    as `core.load.threshold_history.set_thresholds` (or use `change_thresholds`, which does both).
    """
    first = await scored_by_entry_from(session, athlete_id, valid_from)
    conditions = [Activity.user_id == athlete_id, Activity.deleted_at.is_(None)]
    if first is not None:
        conditions.append(Activity.local_date >= first)
    rows = await session.scalars(select(Activity).where(*conditions).order_by(Activity.start_utc))
    activities = list(rows)
    for activity in activities:
        await rescore(session, activity)
    await session.flush()
    for activity in activities:
        if activity.primary_activity_id is None:
            await matching.match_activity(session, activity)
    if activities:
        first_day = min(first or valid_from, *(a.local_date for a in activities))
        await training_load.recompute_through_today(session, clock, athlete_id, first_day)
    return len(activities)


async def change_thresholds(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    athlete_id: int,
    valid_from: date,
    **values: Any,
) -> int:
    """Enter thresholds from `valid_from` and rescore what they apply to, in one unit of
    work; returns how many activities were rescored."""
    await set_thresholds(session, actor_id, athlete_id, valid_from, **values)
    return await recompute_after_threshold_change(session, clock, athlete_id, valid_from)
