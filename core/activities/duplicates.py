"""One session, one activity: copies of the same session from several sources are grouped.

A ride recorded on a Garmin reaches us from Garmin Connect *and* from Strava (and perhaps
as a file sent in chat). Counting both would double the day's load, so the copies are
grouped: the kept activity has `primary_activity_id = None`, every other copy points to
it. The kept copy is the richest recording (power > heart rate > GPS > nothing) unless
the athlete said which provider they prefer for that sport.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching.relationships import require_permission
from core.db.models import Activity, ProviderPreference
from core.enums import Permission
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.load import daily as training_load
from core.planning import matching
from core.planning.matching import sport_family

START_TOLERANCE = timedelta(minutes=5)
MIN_OVERLAP = 0.8
# How far around a new activity to look for copies: the longest plausible session.
_SEARCH_WINDOW = timedelta(hours=30)


def richness(activity: Activity) -> int:
    """3 with power, 2 with heart rate, 1 with GPS, 0 with none of them."""
    channels = set((activity.data_quality or {}).get("channels", ()))
    if activity.avg_power is not None or "power" in channels:
        return 3
    if activity.avg_hr is not None or "heart_rate" in channels:
        return 2
    if "lat" in channels:
        return 1
    return 0


def same_session(a: Activity, b: Activity) -> bool:
    """Compatible sport family, and a start within 5 minutes or ≥ 80 % shared time."""
    if sport_family(a.sport) != sport_family(b.sport):
        return False
    if abs(a.start_utc - b.start_utc) <= START_TOLERANCE:
        return True
    a_end = a.start_utc + timedelta(seconds=a.elapsed_s)
    b_end = b.start_utc + timedelta(seconds=b.elapsed_s)
    shared = (min(a_end, b_end) - max(a.start_utc, b.start_utc)).total_seconds()
    longest = max(a.elapsed_s, b.elapsed_s)
    # Relative to the longer one, so a short run inside a long ride is not "the same".
    return longest > 0 and shared / longest >= MIN_OVERLAP


@dataclass
class Group:
    kept: Activity
    copies: list[Activity]

    @property
    def members(self) -> list[Activity]:
        return [self.kept, *self.copies]


async def group_of(session: AsyncSession, activity: Activity) -> Group:
    """The activity's current group (itself alone when it has no copies)."""
    kept_id = activity.primary_activity_id or activity.id
    kept = await session.get_one(Activity, kept_id)
    rows = await session.scalars(
        select(Activity)
        .where(
            Activity.primary_activity_id == kept_id,
            Activity.deleted_at.is_(None),
            Activity.id != kept_id,
        )
        .order_by(Activity.id)
    )
    return Group(kept, list(rows))


async def _preferred_provider(session: AsyncSession, athlete_id: int, sport: str) -> str | None:
    rows = await session.scalars(
        select(ProviderPreference).where(
            ProviderPreference.user_id == athlete_id,
            ProviderPreference.sport.in_({sport, sport_family(sport)}),
        )
    )
    by_sport = {row.sport: row.provider for row in rows}
    return by_sport.get(sport) or by_sport.get(sport_family(sport))


async def _choose(session: AsyncSession, members: list[Activity], current: Activity) -> Activity:
    preferred = await _preferred_provider(session, current.user_id, current.sport)

    def rank(a: Activity) -> tuple[int, int, int, int]:
        # Ties keep the copy already kept, then the earliest arrival, so nothing flaps.
        return (
            int(preferred is not None and a.source == preferred),
            richness(a),
            int(a.id == current.id),
            -a.id,
        )

    return max(members, key=rank)


def _point_to(kept: Activity, members: list[Activity]) -> None:
    kept.primary_activity_id = None
    for member in members:
        if member.id != kept.id:
            member.primary_activity_id = kept.id


@dataclass
class DedupeOutcome:
    kept: Activity
    previous_kept: Activity | None  # the kept copy before this arrival, if it changed
    is_duplicate: bool  # the session was already known from another copy


async def resolve(session: AsyncSession, activity: Activity) -> DedupeOutcome:
    """Group a newly arrived (or changed) activity with its copies and pick the kept one."""
    nearby = await session.scalars(
        select(Activity).where(
            Activity.user_id == activity.user_id,
            Activity.deleted_at.is_(None),
            Activity.id != activity.id,
            Activity.start_utc.between(
                activity.start_utc - _SEARCH_WINDOW, activity.start_utc + _SEARCH_WINDOW
            ),
        )
    )
    matches = [other for other in nearby if same_session(activity, other)]
    if not matches:
        activity.primary_activity_id = None
        await session.flush()
        return DedupeOutcome(activity, None, is_duplicate=False)
    members: dict[int, Activity] = {activity.id: activity}
    for other in matches:
        for member in (await group_of(session, other)).members:
            members[member.id] = member
    previous = next(
        (m for m in members.values() if m.id != activity.id and m.primary_activity_id is None),
        None,
    )
    current = previous or activity
    kept = await _choose(session, list(members.values()), current)
    _point_to(kept, list(members.values()))
    await session.flush()
    changed = previous if previous is not None and previous.id != kept.id else None
    return DedupeOutcome(kept, changed, is_duplicate=True)


async def promote_after_removal(session: AsyncSession, removed: Activity) -> Activity | None:
    """When the kept copy is deleted, the best remaining copy becomes the kept one."""
    if removed.primary_activity_id is not None:
        return None
    rows = await session.scalars(
        select(Activity).where(
            Activity.primary_activity_id == removed.id, Activity.deleted_at.is_(None)
        )
    )
    copies = list(rows)
    if not copies:
        return None
    kept = await _choose(session, copies, copies[0])
    _point_to(kept, copies)
    await session.flush()
    return kept


async def kept_copy(session: AsyncSession, actor_id: int, activity_id: int) -> Group:
    """Which copy of this session counts, and the other copies (for "which one did you keep?")."""
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound("refuse_activity_does_not_exist")
    await require_permission(session, actor_id, activity.user_id, Permission.VIEW_ACTIVITIES)
    return await group_of(session, activity)


async def swap_primary(
    session: AsyncSession, clock: Clock, athlete_id: int, activity_id: int
) -> Group:
    """Keep this copy instead of the current one (the athlete's own choice).

    The planned workout follows the kept copy, and the day's load is recomputed since the
    copies may score differently (one has power, the other only heart rate).
    """
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound("refuse_activity_does_not_exist")
    if activity.user_id != athlete_id:
        raise PermissionDenied("refuse_only_athlete_chooses_which_copy_their_session")
    group = await group_of(session, activity)
    if not group.copies:
        raise InvalidInput("refuse_session_has_only_one_copy_there_nothing")
    previous = group.kept
    members = group.members
    _point_to(activity, members)
    await session.flush()
    if previous.id != activity.id:
        await matching.transfer_match(session, previous, activity)
        await training_load.recompute_through_today(
            session, clock, athlete_id, min(previous.local_date, activity.local_date)
        )
    return Group(activity, [m for m in members if m.id != activity.id])
