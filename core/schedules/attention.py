"""The coach digest: which athletes need the coach's attention today, and why.

Written every day at the coach's local 07:00 by the fan-out (core.schedules.fan_out);
`coach_attention` is also what /digest and the Slack App Home show.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching import relationships as coaching
from core.db.models import Activity, DailyLoad, Notification, User, Workout
from core.enums import WorkoutStatus
from core.outbox.notifications import notify
from core.outbox.payloads import CoachDigestPayload
from core.timeutil import local_date

# What makes an athlete "need attention" in the coach digest.
FORM_ALERT_BELOW = -30.0
NO_SYNC_DAYS = 3
LOW_COMPLIANCE_PCT = 50.0
LOOKBACK_DAYS = 7


def _pain_notes_by_session(
    activities: Iterable[Activity], workouts: Iterable[Workout]
) -> list[str] | None:
    """Each session's pain notes once; None when no session hurt.

    A check-in writes the pain on the activity and on the workout it matched, and copies
    of one activity from several sources point at the kept one: all are one session, so
    the coach reads the knee once per run, not once per row.
    """
    sessions: dict[tuple[str, int], list[str | None]] = {}
    for a in activities:
        sessions.setdefault(("activity", a.primary_activity_id or a.id), []).append(a.pain_note)
    for w in workouts:
        key = ("activity", w.matched_activity_id) if w.matched_activity_id else ("workout", w.id)
        sessions.setdefault(key, []).append(w.pain_note)
    if not sessions:
        return None
    return [
        note
        for notes in sessions.values()
        for note in dict.fromkeys(n.strip() for n in notes if n and n.strip())
    ]


async def attention_reasons(
    session: AsyncSession, athlete: User, today: date, now: datetime
) -> list[dict[str, Any]]:
    """Why an athlete needs the coach's attention today, if at all."""
    since = today - timedelta(days=LOOKBACK_DAYS)
    reasons: list[dict[str, Any]] = []
    workouts = list(
        await session.scalars(
            select(Workout).where(
                Workout.athlete_id == athlete.id, Workout.scheduled_date.between(since, today)
            )
        )
    )
    missed = [
        w
        for w in workouts
        if w.key_workout and w.scheduled_date < today and w.status != WorkoutStatus.COMPLETED
    ]
    for w in missed:
        reasons.append(
            {
                "reason": "missed_key_workout",
                "workout_id": w.id,
                "title": w.title,
                "date": w.scheduled_date.isoformat(),
            }
        )
    pain_activities = await session.scalars(
        select(Activity).where(
            Activity.user_id == athlete.id,
            Activity.local_date.between(since, today),
            Activity.pain.is_(True),
            Activity.deleted_at.is_(None),
        )
    )
    pain_notes = _pain_notes_by_session(pain_activities, [w for w in workouts if w.pain])
    if pain_notes is not None:
        reasons.append({"reason": "pain", "notes": pain_notes})
    latest = await session.scalar(
        select(DailyLoad)
        .where(DailyLoad.user_id == athlete.id, DailyLoad.day <= today)
        .order_by(DailyLoad.day.desc())
        .limit(1)
    )
    if latest is not None and latest.form < FORM_ALERT_BELOW:
        reasons.append({"reason": "low_form", "form": round(latest.form, 1)})
    last_activity = await session.scalar(
        select(func.max(Activity.start_utc)).where(
            Activity.user_id == athlete.id, Activity.deleted_at.is_(None)
        )
    )
    if last_activity is None or now - last_activity > timedelta(days=NO_SYNC_DAYS):
        days = None if last_activity is None else (now - last_activity).days
        reasons.append({"reason": "no_sync", "days": days})
    past = [w for w in workouts if w.scheduled_date < today]
    if past:
        done = sum(1 for w in past if w.status == WorkoutStatus.COMPLETED)
        pct = 100.0 * done / len(past)
        if pct < LOW_COMPLIANCE_PCT:
            reasons.append({"reason": "low_compliance", "compliance_pct": round(pct)})
    return reasons


async def coach_attention(
    session: AsyncSession, clock: Clock, coach_id: int
) -> list[dict[str, Any]]:
    """The coach's athletes who need attention today, with why; snoozed ones left out
    (`coaching.snooze_athlete`) until the day after their snooze ends."""
    coach = await session.get_one(User, coach_id)
    now = clock.now()
    snoozed = await coaching.snoozed_athletes(session, coach_id, local_date(now, coach.timezone))
    athletes = []
    for athlete in await coaching.roster(session, coach_id):
        if athlete.id in snoozed:
            continue
        athlete_today = local_date(now, athlete.timezone)
        reasons = await attention_reasons(session, athlete, athlete_today, now)
        if reasons:
            athletes.append({"athlete_id": athlete.id, "name": athlete.name, "reasons": reasons})
    return athletes


async def write_coach_digest(
    session: AsyncSession, clock: Clock, coach_id: int
) -> Notification | None:
    """Today's list of athletes who need attention; no message when everyone is fine."""
    coach = await session.get_one(User, coach_id)
    today = local_date(clock.now(), coach.timezone)
    athletes = await coach_attention(session, clock, coach_id)
    if not athletes:
        return None
    return await notify(
        session,
        clock,
        recipient_id=coach_id,
        payload=CoachDigestPayload.model_validate({"date": today, "athletes": athletes}),
        key=f"coach_digest:{coach_id}:{today.isoformat()}",
    )
