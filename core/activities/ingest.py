"""Recording activities: from a parsed session to a stored, scored, matched activity.

Every source (a provider sync, a file sent in chat) ends here. One call does the whole
chain inside the caller's transaction: the plausibility check (`core.activities.plausibility`),
upsert keyed by (athlete, source, source id), metrics with the thresholds in force on the
activity's local day, streams, deduplication against copies from other sources, matching
to the planned workout, the daily load and fitness from that day on, and the outbox
notifications. A repeated delivery is harmless. A manual entry (`/log`) takes the same
path, so it counts at once; a check-in only adds answers.

What is news: a check-in is asked, and the coach pinged, only for a real session
(never a multisport file's transition) recorded within the last `NEWS_WINDOW_DAYS`
days; an import of last year's ride is history, stored quietly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.activities import duplicates as dedupe
from core.activities import plausibility
from core.activities.parsed import ParsedActivity, Sport, Streams, SwimLength
from core.activities.streams_store import load_streams, save_streams
from core.clock import Clock
from core.coaching.relationships import active_relationship_of_athlete, require_permission
from core.db.models import Activity, Notification, User, Workout
from core.enums import ActivitySource, NotificationStatus, Permission
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.files import parse_activity_file
from core.load import daily as training_load
from core.load.threshold_history import (
    ThresholdsInForce,
    scored_by_entry_from,
    set_thresholds,
    thresholds_for_scoring,
)
from core.metrics import ActivityMetrics, compute_activity_metrics
from core.outbox import notifications
from core.outbox.payloads import (
    ActivityRecordedPayload,
    CheckInPayload,
    SyncStatusPayload,
    WorkoutSummary,
)
from core.planning import matching
from core.planning.checkins import validate_answers
from core.timeutil import local_date

CHECK_IN_QUESTIONS = ("rpe", "feel", "pain")
# A session older than this is history when it arrives: no check-in, no coach ping.
NEWS_WINDOW_DAYS = 7


@dataclass
class IngestResult:
    activity: Activity  # the row for this source's copy
    created: bool  # False when the same (source, source id) was already stored
    kept: Activity  # the copy that counts for this session (may be `activity`)
    is_duplicate: bool  # the session was already known from another source
    workout: Workout | None  # the planned workout it completed, if any
    # The athlete should be asked how it went (a new session that is news; see the module
    # docstring). A door that recorded it in a conversation asks in its reply.
    asks_check_in: bool = False


def is_news(sport: str, day: date, today: date) -> bool:
    """A session worth a check-in and a coach ping: not a transition, not old history."""
    return sport != Sport.TRANSITION and (today - day).days <= NEWS_WINDOW_DAYS


# --- recording --------------------------------------------------------------------------


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
    existing = await _by_key(session, athlete_id, source, source_id)
    if existing is not None and existing.deleted_at is None:
        return await _update_existing(
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
    _fill(activity, parsed, metrics)
    _note_thresholds(activity, in_force)
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
        await _notify_recorded(session, clock, activity, workout, check_in=not ask_in_reply)
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


async def _by_key(
    session: AsyncSession, athlete_id: int, source: str, source_id: str
) -> Activity | None:
    return await session.scalar(
        select(Activity).where(
            Activity.user_id == athlete_id,
            Activity.source == source,
            Activity.source_id == source_id,
        )
    )


def _fill(activity: Activity, parsed: ParsedActivity, m: ActivityMetrics) -> None:
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


def _note_thresholds(activity: Activity, in_force: ThresholdsInForce) -> None:
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


# --- provider updates and deletions -----------------------------------------------------


async def _update_existing(
    session: AsyncSession,
    clock: Clock,
    activity: Activity,
    *,
    name: str | None,
    sport: Sport | str | None,
    is_private: bool | None,
    notify: bool = True,
) -> IngestResult:
    was_private = activity.is_private
    renamed = bool(name) and (name or "")[:200] != activity.name
    if name:
        activity.name = name[:200]
    if is_private is not None:
        activity.is_private = is_private
    sport_changed = sport is not None and Sport(sport).value != activity.sport
    if sport_changed:
        activity.sport = Sport(sport).value
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
        await _notify_changed(session, clock, activity, was_private=was_private)
    return IngestResult(activity, False, group.kept, bool(group.copies), workout)


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
    follow (`_notify_changed`); the same change applied twice is silent the second time.
    """
    activity = await _by_key(session, athlete_id, ActivitySource(source), source_id)
    if activity is None or activity.deleted_at is not None:
        return None
    if sport is not None:
        try:
            sport = Sport(sport)
        except ValueError as exc:
            raise InvalidInput(f"“{sport}” is not a sport I know.") from exc
    return await _update_existing(
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
    activity = await _by_key(session, athlete_id, ActivitySource(source), source_id)
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
        await _notify_changed(session, clock, activity, was_private=activity.is_private)
    return activity


# --- check-in ---------------------------------------------------------------------------


async def record_check_in(
    session: AsyncSession,
    clock: Clock,
    athlete_id: int,
    activity_id: int,
    *,
    rpe: int | None = None,
    feel: int | None = None,
    pain: bool | None = None,
    pain_note: str | None = None,
) -> Activity:
    """The athlete's answers (RPE 1–10, feel 1–5, pain) on the activity and its workout.

    An activity with no load yet (no thresholds, no sensors) is scored from RPE × duration.
    """
    validate_answers(rpe, feel, pain, pain_note)
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound("refuse_activity_does_not_exist")
    if activity.user_id != athlete_id:
        raise PermissionDenied("refuse_only_athlete_answers_check_in_their_session")
    kept = (await dedupe.group_of(session, activity)).kept
    workout = await matching.matched_workout(session, kept.id)
    for target in (kept, workout):
        if target is None:
            continue
        if rpe is not None:
            target.rpe = rpe
        if feel is not None:
            target.feel = feel
        if pain is not None:
            target.pain = pain
        if pain_note:
            target.pain_note = pain_note
    if rpe is not None and kept.load_source in (None, "rpe"):
        await _rescore(session, kept)
        await matching.match_activity(session, kept)
        await training_load.recompute_through_today(session, clock, athlete_id, kept.local_date)
    await _withdraw_check_in_cards(session, athlete_id, {activity.id, kept.id})
    await session.flush()
    relationship = await active_relationship_of_athlete(session, athlete_id)
    if relationship is not None and not kept.is_private:
        answers = {"rpe": rpe, "feel": feel, "pain": pain, "pain_note": pain_note}
        fingerprint = hashlib.sha256(repr(sorted(answers.items())).encode()).hexdigest()[:16]
        await notifications.notify(
            session,
            clock,
            recipient_id=relationship.coach_id,
            payload=CheckInPayload(
                athlete_id=athlete_id,
                activity_id=kept.id,
                workout_id=workout.id if workout else None,
                name=kept.name,
                local_date=kept.local_date,
                rpe=rpe,
                feel=feel,
                pain=pain,
                pain_note=pain_note,
            ),
            key=f"activity:{kept.id}:check_in:coach:{fingerprint}",
        )
    return kept


async def _withdraw_check_in_cards(
    session: AsyncSession, athlete_id: int, activity_ids: set[int]
) -> None:
    """Answered already: a check-in card still waiting in the outbox must not ask again."""
    keys = [f"activity:{i}:check_in" for i in activity_ids]
    waiting = await session.scalars(
        select(Notification).where(
            Notification.recipient_id == athlete_id,
            Notification.idempotency_key.in_(keys),
            Notification.status == NotificationStatus.PENDING,
        )
    )
    for row in list(waiting):
        await session.delete(row)


# --- rescoring --------------------------------------------------------------------------


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


async def _rescore(session: AsyncSession, activity: Activity) -> None:
    parsed = _rebuild(activity, await load_streams(session, activity.id))
    in_force = await thresholds_for_scoring(session, activity.user_id, activity.local_date)
    m = compute_activity_metrics(parsed, in_force.values, rpe=activity.rpe)
    extras = {k: v for k, v in (activity.metrics or {}).items() if k in ("swim", "device_summary")}
    activity.metrics = {**m.to_dict(), **extras}
    _note_thresholds(activity, in_force)
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
        await _rescore(session, activity)
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


async def activity_with_streams(
    session: AsyncSession, actor_id: int, activity_id: int
) -> tuple[Activity, Streams | None]:
    """An activity and its samples, for charts and analysis (permission-checked)."""
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound("refuse_activity_does_not_exist")
    await require_permission(session, actor_id, activity.user_id, Permission.VIEW_ACTIVITIES)
    return activity, await load_streams(session, activity.id)


# --- notifications ----------------------------------------------------------------------


def activity_summary(activity: Activity, workout: Workout | None) -> ActivityRecordedPayload:
    """The numbers a coach sees when a session lands (no wording: the bot phrases it)."""
    return ActivityRecordedPayload(
        activity_id=activity.id,
        athlete_id=activity.user_id,
        name=activity.name,
        sport=activity.sport,
        local_date=activity.local_date,
        start_utc=activity.start_utc.astimezone(UTC),
        moving_s=activity.moving_s,
        elapsed_s=activity.elapsed_s,
        distance_m=activity.distance_m,
        load=activity.load,
        load_source=activity.load_source,
        intensity=activity.intensity,
        avg_hr=activity.avg_hr,
        avg_power=activity.avg_power,
        weighted_power=activity.weighted_power,
        workout=_workout_summary(workout),
    )


def _workout_summary(workout: Workout | None) -> WorkoutSummary | None:
    if workout is None:
        return None
    return WorkoutSummary(
        id=workout.id,
        title=workout.title,
        compliance_pct=workout.compliance_pct,
        compliance_color=workout.compliance_color,
    )


async def _notify_recorded(
    session: AsyncSession,
    clock: Clock,
    activity: Activity,
    workout: Workout | None,
    *,
    check_in: bool,
) -> None:
    athlete_id = activity.user_id
    relationship = await active_relationship_of_athlete(session, athlete_id)
    coach_may_see = relationship is not None and relationship.permissions.get(
        Permission.VIEW_ACTIVITIES, True
    )
    if relationship is not None and coach_may_see and not activity.is_private:
        await notifications.notify(
            session,
            clock,
            recipient_id=relationship.coach_id,
            payload=activity_summary(activity, workout),
            key=f"activity:{activity.id}:recorded:coach",
        )
    if not check_in:
        return
    await notifications.notify(
        session,
        clock,
        recipient_id=athlete_id,
        payload=CheckInPayload(
            athlete_id=athlete_id,  # the athlete's own check-in card, not a coach's echo
            activity_id=activity.id,
            name=activity.name,
            sport=activity.sport,
            local_date=activity.local_date,
            asks=tuple(CHECK_IN_QUESTIONS),
            workout=_workout_summary(workout),
        ),
        key=f"activity:{activity.id}:check_in",
    )


# Values of `change` in an activity-change notice. "hidden" goes to the coach only: the
# athlete made the session private, so the coach's copy must disappear.
CHANGE_UPDATED = "updated"
CHANGE_DELETED = "deleted"
CHANGE_HIDDEN = "hidden"


async def _notify_changed(
    session: AsyncSession, clock: Clock, activity: Activity, *, was_private: bool
) -> None:
    """Ask the senders to edit (or remove) the chat messages already shown for `activity`.

    One mechanism for every source (provider event, file, manual edit): a `sync_status`
    row `{"activity_changed": id, "change": ...}` per person who was shown the session;
    the senders find the messages through `message_refs.activity_id`. The coach hears of
    it only when allowed to see the athlete's activities; a session turning public again
    reaches the coach as a fresh `activity_recorded`. Keys carry a per-activity change
    counter, so each change is one row however often the same change is re-applied.
    """
    deleted = activity.deleted_at is not None
    change = CHANGE_DELETED if deleted else CHANGE_UPDATED
    payload = SyncStatusPayload(
        activity_changed=activity.id,
        change=change,
        athlete_id=activity.user_id,
        name=activity.name,
        sport=activity.sport,
        local_date=activity.local_date,
    )
    stamp = clock.now().isoformat()
    await _notify_change(session, clock, activity.user_id, activity.id, payload, stamp)
    relationship = await active_relationship_of_athlete(session, activity.user_id)
    if relationship is None or not relationship.permissions.get(Permission.VIEW_ACTIVITIES, True):
        return
    coach_id = relationship.coach_id
    if was_private and activity.is_private:
        return  # the coach never saw it
    if was_private and not deleted:  # made public: the coach sees it for the first time
        workout = await matching.matched_workout(session, activity.id)
        count = await _changes_so_far(session, activity.id, coach_id)
        await notifications.notify(
            session,
            clock,
            recipient_id=coach_id,
            payload=activity_summary(activity, workout),
            key=f"activity:{activity.id}:recorded:coach:{count + 1}",
        )
        return
    if activity.is_private and not deleted:
        # Nothing of a private session for the coach beyond which post to take down.
        payload = SyncStatusPayload(
            activity_changed=activity.id, change=CHANGE_HIDDEN, athlete_id=activity.user_id
        )
    await _notify_change(session, clock, coach_id, activity.id, payload, stamp)


async def _changes_so_far(session: AsyncSession, activity_id: int, recipient_id: int) -> int:
    prefix = f"activity:{activity_id}:"
    rows = await session.scalars(
        select(Notification.idempotency_key).where(
            Notification.recipient_id == recipient_id,
            Notification.idempotency_key.like(f"{prefix}%"),
        )
    )
    return sum(1 for key in rows if ":changed:" in key or ":recorded:coach:" in key)


async def _notify_change(
    session: AsyncSession,
    clock: Clock,
    recipient_id: int,
    activity_id: int,
    payload: SyncStatusPayload,
    stamp: str,
) -> None:
    count = await _changes_so_far(session, activity_id, recipient_id)
    await notifications.notify(
        session,
        clock,
        recipient_id=recipient_id,
        payload=payload,
        key=f"activity:{activity_id}:changed:{recipient_id}:{count + 1}:{stamp}",
    )
