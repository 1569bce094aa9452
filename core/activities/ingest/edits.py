"""A stored activity changed or gone: a new title, sport or visibility, or a deletion.

A provider event or the athlete's own edit; the messages already shown for the activity are
asked to follow (`core.activities.ingest.notices.notify_changed`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.activities import duplicates as dedupe
from core.activities.ingest.notices import notify_changed
from core.activities.ingest.recording import IngestResult, find_by_source, update_stored
from core.activities.parsed import Sport
from core.clock import Clock
from core.db.models import Activity
from core.enums import ActivitySource
from core.errors import InvalidInput
from core.load import daily as training_load
from core.planning import matching


async def update_activity_fields(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    source: ActivitySource,
    source_id: str,
    *,
    name: str | None = None,
    sport: Sport | str | None = None,
    is_private: bool | None = None,
    notify: bool = True,
) -> IngestResult | None:
    """A change of title, sport type or visibility (a provider event, the athlete's edit).

    When something did change, the messages already shown for the activity are asked to
    follow (`notify_changed`); the same change applied twice is silent the second time.
    """
    activity = await find_by_source(session, athlete_id, ActivitySource(source), source_id)
    if activity is None or activity.deleted_at is not None:
        return None
    if sport is not None:
        try:
            sport = Sport(sport)
        except ValueError as exc:
            raise InvalidInput("refuse_unknown_sport", sport=sport) from exc
    return await update_stored(
        session, clock, activity, name=name, sport=sport, is_private=is_private, notify=notify
    )


async def delete_activity(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    source: ActivitySource,
    source_id: str,
    *,
    notify: bool = True,
) -> Activity | None:
    """Soft-delete (a provider said it is gone); None if it was unknown or already deleted.

    The planned workout is planned again, unless another copy of the session exists: that
    copy is then kept and completes the workout instead. When the session itself is gone
    (no other copy), the messages shown for it are asked to say so.
    """
    activity = await find_by_source(session, athlete_id, ActivitySource(source), source_id)
    if activity is None or activity.deleted_at is not None:
        return None
    activity.deleted_at = clock.now()
    first_day = activity.local_date
    session_gone = False
    if activity.primary_activity_id is None:
        promoted = await dedupe.promote_after_removal(session, activity)
        if promoted is not None:
            await matching.transfer_match(session, activity, promoted)
            first_day = min(first_day, promoted.local_date)
        else:
            await matching.unmatch_activity(session, activity.id)
            session_gone = True
    await session.flush()
    await training_load.recompute_through_today(session, clock, athlete_id, first_day)
    if notify and session_gone:
        await notify_changed(session, clock, activity, was_private=activity.is_private)
    return activity
