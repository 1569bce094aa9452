"""Activities: manual entries, and listing by the athlete's local day or week."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities.ingest.recording import IngestResult, record_activity
from core.activities.parsed import ParsedActivity, Sport
from core.clock import Clock
from core.coaching.relationships import require_permission
from core.db.engine import small_read
from core.db.models import Activity, User
from core.enums import ActivitySource, Permission
from core.errors import InvalidInput, PermissionDenied
from core.timeutil import week_start


async def create_manual_activity(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    athlete_id: int,
    **entry: Any,
) -> Activity:
    """`record_manual_activity`, returning the activity row."""
    return (await record_manual_activity(session, clock, actor_id, athlete_id, **entry)).activity


async def record_manual_activity(
    session: AsyncSession,
    clock: Clock,
    actor_id: int,
    athlete_id: int,
    *,
    sport: str,
    start: datetime,
    duration_s: float,
    distance_m: float | None = None,
    rpe: int | None = None,
    name: str | None = None,
) -> IngestResult:
    """An activity typed in by the athlete; its load comes from RPE × duration.

    It is recorded like a file or a sync (`core.activities.ingest.recording`): scored, matched
    to the day's planned workout, and counted in the daily load and fitness at once. The
    athlete is there when typing it, so no check-in card goes to the outbox: the door
    that took the entry asks (`IngestResult.asks_check_in`).
    """
    if actor_id != athlete_id:
        raise PermissionDenied("refuse_only_athlete_can_log_their_own_training")
    try:
        sport_value = Sport(sport)
    except ValueError as exc:
        raise InvalidInput("refuse_unknown_sport", sport=sport) from exc
    if start.tzinfo is None:
        raise InvalidInput("refuse_start_time_needs_timezone")
    if not 60 <= duration_s <= 24 * 3600:
        raise InvalidInput("refuse_session_lasts_between_1_minute_and_24")
    if distance_m is not None and not 0 < distance_m <= 1_000_000:
        raise InvalidInput("refuse_distance_not_plausible")
    if rpe is not None and not 1 <= rpe <= 10:
        raise InvalidInput("refuse_rpe_goes_1_very_easy_10_maximal")
    if start > clock.now() + timedelta(minutes=5):
        raise InvalidInput("refuse_session_in_future_log_once_done")
    user = await session.get_one(User, athlete_id)
    # The same typed entry twice (a double tap on Confirm) is one activity.
    fingerprint = f"{sport_value.value}|{start.isoformat()}|{duration_s}|{distance_m}"
    source_id = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    parsed = ParsedActivity(
        sport=sport_value,
        start=start,
        elapsed_s=float(duration_s),
        moving_s=float(duration_s),
        source_format="manual",
        timezone=user.timezone,
        name=name,
        distance_m=distance_m,
        avg_speed=(distance_m / duration_s) if distance_m else None,
    )
    result = await record_activity(
        session,
        clock,
        athlete_id,
        parsed,
        source=ActivitySource.MANUAL,
        source_id=source_id,
        rpe=rpe,
        ask_in_reply=True,
    )
    if result.created:
        result.activity.data_quality = {**(result.activity.data_quality or {}), "manual": True}
    return result


async def activities_between(
    session: AsyncSession, actor_id: int, athlete_id: int, first: date, last: date
) -> list[Activity]:
    """Kept (non-duplicate, non-deleted) activities on local days first..last inclusive."""
    await require_permission(session, actor_id, athlete_id, Permission.VIEW_ACTIVITIES)
    rows = await session.scalars(
        _KEPT_ACTIVITIES_BETWEEN, {"athlete_id": athlete_id, "first": first, "last": last}
    )
    return list(rows)


# Built once: /today and /week run it on every request, and building a statement (and its
# cache key) costs more Python than SQLAlchemy's compiled-SQL cache saves.
_KEPT_ACTIVITIES_BETWEEN = small_read(
    select(Activity)
    .where(
        Activity.user_id == bindparam("athlete_id"),
        Activity.local_date.between(bindparam("first"), bindparam("last")),
        Activity.primary_activity_id.is_(None),
        Activity.deleted_at.is_(None),
    )
    .order_by(Activity.start_utc)
)


async def activities_on_day(
    session: AsyncSession, actor_id: int, athlete_id: int, day: date
) -> list[Activity]:
    return await activities_between(session, actor_id, athlete_id, day, day)


async def activities_in_week(
    session: AsyncSession, actor_id: int, athlete_id: int, day: date
) -> list[Activity]:
    """The Monday-to-Sunday week containing `day`, in the athlete's timezone."""
    monday = week_start(day)
    return await activities_between(
        session, actor_id, athlete_id, monday, monday + timedelta(days=6)
    )
