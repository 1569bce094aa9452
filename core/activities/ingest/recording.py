"""The one recording path: a parsed session (a file, a sync, a `/log` entry) stored and scored.

`record_activity` stores one session and everything that follows inside the caller's
transaction; the same (source, source id) recorded again updates the stored copy in place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities import duplicates as dedupe
from core.activities import plausibility
from core.activities.ingest.notices import is_news, notify_changed, notify_recorded
from core.activities.ingest.scoring import fill_scores, note_thresholds
from core.activities.parsed import ParsedActivity, Sport
from core.activities.streams_store import save_streams
from core.clock import Clock
from core.db.models import Activity, User, Workout
from core.enums import ActivitySource
from core.errors import InvalidInput, NotFound
from core.files import parse_activity_file
from core.load import daily as training_load
from core.load.threshold_history import thresholds_for_scoring
from core.metrics import compute_activity_metrics
from core.planning import matching
from core.timeutil import local_date


@dataclass
class IngestResult:
    activity: Activity  # the row for this source's copy
    created: bool  # False when the same (source, source id) was already stored
    kept: Activity  # the copy that counts for this session (may be `activity`)
    is_duplicate: bool  # the session was already known from another source
    workout: Workout | None  # the planned workout it completed, if any
    # The athlete should be asked how it went (a new session that is news, `notices.is_news`).
    # A door that recorded it in a conversation asks in its reply.
    asks_check_in: bool = False


async def record_activity(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    parsed: ParsedActivity,
    *,
    source: ActivitySource,
    source_id: str,
    raw: dict[str, Any] | None = None,
    is_private: bool = False,
    notify: bool = True,
    rpe: int | None = None,
    ask_in_reply: bool = False,
) -> IngestResult:
    """Store one session (idempotent on source + source id) and everything that follows.

    `notify=False` for backfills: history is recorded without pinging anyone.
    `rpe`: the athlete's rating given with the entry (manual), scored at once when no
    sensor can score it. `ask_in_reply`: the door asks the check-in in its own reply
    (a conversation), so no check-in card goes to the outbox. Raises
    `plausibility.ImplausibleActivity` before anything is stored.
    """
    user = await session.get(User, athlete_id)
    if user is None:
        raise NotFound("refuse_athlete_does_not_exist")
    source = ActivitySource(source)
    if not source_id or len(source_id) > 128:
        raise InvalidInput("refuse_activity_needs_source_id_most_128_characters")
    plausibility.check_activity(parsed, clock.now())
    existing = await find_by_source(session, athlete_id, source, source_id)
    if existing is not None and existing.deleted_at is None:
        return await update_stored(
            session,
            clock,
            existing,
            name=parsed.name,
            sport=parsed.sport,
            is_private=is_private,
            notify=notify,
        )
    activity = existing or Activity(user_id=athlete_id, source=source, source_id=source_id)
    activity.deleted_at = None
    activity.primary_activity_id = None
    activity.is_private = is_private
    activity.raw = raw
    activity.timezone = parsed.timezone
    activity.local_date = activity_local_date(parsed, user.timezone)
    activity.rpe = rpe
    in_force = await thresholds_for_scoring(session, athlete_id, activity.local_date)
    metrics = compute_activity_metrics(parsed, in_force.values, rpe=rpe)
    fill_scores(activity, parsed, metrics)
    note_thresholds(activity, in_force)
    if existing is None:
        session.add(activity)
    await session.flush()
    if parsed.streams is not None and len(parsed.streams):
        await save_streams(session, activity.id, parsed.streams)
    outcome = await dedupe.resolve(session, activity)
    if outcome.previous_kept is not None:
        workout = await matching.transfer_match(session, outcome.previous_kept, outcome.kept)
    else:
        workout = await matching.match_activity(session, outcome.kept)
    first_day = min(
        activity.local_date,
        outcome.previous_kept.local_date if outcome.previous_kept else activity.local_date,
    )
    await training_load.recompute_through_today(session, clock, athlete_id, first_day)
    today = local_date(clock.now(), user.timezone)
    news = (
        notify and not outcome.is_duplicate and is_news(activity.sport, activity.local_date, today)
    )
    if news:
        await notify_recorded(session, clock, activity, workout, check_in=not ask_in_reply)
    return IngestResult(
        activity, True, outcome.kept, outcome.is_duplicate, workout, asks_check_in=news
    )


async def record_file(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    data: bytes,
    filename: str | None,
    *,
    ask_in_reply: bool = False,
) -> list[IngestResult]:
    """A FIT/GPX/TCX file (gzipped or not) sent in chat; one activity per sport session.

    A damaged file raises `core.files.ActivityFileError`, an implausible one
    `plausibility.ImplausibleActivity`, before anything is stored. The same file sent
    twice gives the same activities (the source id is its SHA-256).
    """
    sessions = parse_activity_file(data, filename)
    for parsed in sessions:  # the whole file or nothing: no half-stored multisport file
        plausibility.check_activity(parsed, clock.now())
    digest = hashlib.sha256(data).hexdigest()
    results = []
    for index, parsed in enumerate(sessions):
        results.append(
            await record_activity(
                session,
                clock,
                athlete_id,
                parsed,
                source=ActivitySource.FILE,
                source_id=f"{digest}:{index}",
                raw={"filename": filename, "session_index": index, "sha256": digest},
                ask_in_reply=ask_in_reply,
            )
        )
    return results


def activity_local_date(parsed: ParsedActivity, athlete_tz: str) -> date:
    """The local day the session started on: its own zone (or device offset) first.

    A ride at 23:30 in Paris is on that Paris day even though it is 21:30 or 22:30 UTC;
    the zone (or the device's offset at that moment) carries the DST rule.
    """
    if parsed.timezone:
        return local_date(parsed.start, parsed.timezone)
    if parsed.utc_offset_s is not None:
        return parsed.start.astimezone(timezone(timedelta(seconds=parsed.utc_offset_s))).date()
    return local_date(parsed.start, athlete_tz)


async def find_by_source(
    session: AsyncSession, athlete_id: int, source: str, source_id: str
) -> Activity | None:
    return await session.scalar(
        select(Activity).where(
            Activity.user_id == athlete_id,
            Activity.source == source,
            Activity.source_id == source_id,
        )
    )


async def update_stored(
    session: AsyncSession,
    clock: Clock,
    activity: Activity,
    *,
    name: str | None,
    sport: Sport | str | None,
    is_private: bool | None,
    notify: bool = True,
) -> IngestResult:
    """The same (source, source id) again: a new title, sport or visibility, told as a change."""
    was_private = activity.is_private
    renamed = bool(name) and (name or "")[:200] != activity.name
    if name:
        activity.name = name[:200]
    if is_private is not None:
        activity.is_private = is_private
    new_sport = Sport(sport).value if sport is not None else activity.sport
    sport_changed = new_sport != activity.sport
    if sport_changed:
        activity.sport = new_sport
        outcome = await dedupe.resolve(session, activity)
        if outcome.previous_kept is not None:
            await matching.transfer_match(session, outcome.previous_kept, outcome.kept)
        await matching.match_activity(session, outcome.kept)
        await training_load.recompute_through_today(
            session, clock, activity.user_id, activity.local_date
        )
    await session.flush()
    group = await dedupe.group_of(session, activity)
    workout = await matching.matched_workout(session, group.kept.id)
    if notify and (renamed or sport_changed or was_private != activity.is_private):
        await notify_changed(session, clock, activity, was_private=was_private)
    return IngestResult(activity, False, group.kept, bool(group.copies), workout)
