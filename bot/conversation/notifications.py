"""An outbox row as a message: `build_notification_view` loads what it refers to, then
`render_notification(view) -> Reply` (pure) writes it for any door.

Senders (Telegram, Slack, console) call both: view = await build_notification_view(
session, notification); reply = render_notification(view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import activity_summary, feel_buttons, rpe_buttons, workout_card
from bot.conversation.strings import say
from bot.conversation.types import Button, Buttons, Reply, Subject, Text, italic
from core.db.models import Activity, Notification, User, Workout
from core.enums import NotificationKind


@dataclass(frozen=True)
class NotificationView:
    kind: str
    payload: dict[str, Any]
    locale: str
    units: str
    workout: Workout | None = None
    activity: Activity | None = None
    athlete_name: str | None = None


async def build_notification_view(
    session: AsyncSession, notification: Notification
) -> NotificationView:
    recipient = await session.get_one(User, notification.recipient_id)
    payload = dict(notification.payload or {})
    workout = (
        await session.get(Workout, payload["workout_id"]) if payload.get("workout_id") else None
    )
    activity = (
        await session.get(Activity, payload["activity_id"]) if payload.get("activity_id") else None
    )
    athlete = await session.get(User, payload["athlete_id"]) if payload.get("athlete_id") else None
    return NotificationView(
        kind=notification.kind,
        payload=payload,
        locale=recipient.locale,
        units=recipient.units,
        workout=workout,
        activity=activity,
        athlete_name=athlete.name if athlete else None,
    )


def _subject_title(view: NotificationView) -> str:
    if view.workout is not None:
        return view.workout.title
    if view.activity is not None:
        return view.activity.name or view.activity.sport
    return ""


def _subject(view: NotificationView) -> Subject | None:
    if view.workout is not None:
        return Subject(workout_id=view.workout.id)
    if view.activity is not None:
        return Subject(activity_id=view.activity.id)
    return None


def render_notification(view: NotificationView) -> Reply:
    t = view.locale
    p = view.payload
    match view.kind:
        case NotificationKind.COACH_COMMENT | NotificationKind.ATHLETE_COMMENT:
            key = (
                "coach_comment"
                if view.kind == NotificationKind.COACH_COMMENT
                else "n_athlete_comment"
            )
            head = say(t, key, author=p.get("author_name", ""), subject=_subject_title(view))
            subject = _subject(view)
            parts: list[Any] = [Text.of(head, italic(p.get("body", "")))]
            if subject is not None:
                kind, sid = (
                    ("w", subject.workout_id) if subject.workout_id else ("a", subject.activity_id)
                )
                parts.append(
                    Buttons.of([Button(say(t, "btn_reply"), cb(Scope.COMMENT, "reply", kind, sid))])
                )
            return Reply(parts=tuple(parts), thread=subject, stands_for=subject)
        case NotificationKind.REMINDER if view.workout is not None:
            card = workout_card(view.workout, t, view.units)
            return Reply(
                parts=(Text.of(say(t, "n_reminder")), *card.parts), stands_for=card.stands_for
            )
        case NotificationKind.CHECK_IN if (
            view.activity is not None
            and p.get("athlete_id") == view.activity.user_id
            and p.get("rpe") is None
            and "feel" not in p
        ):
            return Reply.of(
                activity_summary(view.activity, t, view.units) + "\n" + say(t, "checkin_rpe"),
                rpe_buttons("a", view.activity.id),
                stands_for=Subject(activity_id=view.activity.id),
            )
        case NotificationKind.CHECK_IN:
            bits = [f"{view.athlete_name or ''}: {_subject_title(view)}"]
            if p.get("rpe"):
                bits.append(f"RPE {p['rpe']}")
            if p.get("feel"):
                bits.append(say(t, f"feel_{p['feel']}"))
            if p.get("pain"):
                bits.append("⚠ " + (p.get("pain_note") or say(t, "btn_pain")))
            return Reply.of(" · ".join(bits), thread=_subject(view))
        case NotificationKind.WORKOUT_COMPLETED:
            return Reply.of(
                say(
                    t,
                    "n_workout_completed",
                    athlete=view.athlete_name or "",
                    title=p.get("title") or _subject_title(view),
                ),
                thread=_subject(view),
            )
        case NotificationKind.ACTIVITY_RECORDED if view.activity is not None:
            return Reply.of(
                say(
                    t,
                    "n_activity_recorded",
                    athlete=view.athlete_name or "",
                    summary=activity_summary(view.activity, t, view.units),
                ),
                stands_for=_subject(view),
            )
        case NotificationKind.WORKOUT_CHANGED if view.workout is not None:
            return Reply.of(
                say(
                    t,
                    "n_workout_changed",
                    title=view.workout.title,
                    day=view.workout.scheduled_date.isoformat(),
                )
            )
        case NotificationKind.NEW_PLAN:
            return Reply.of(say(t, "n_new_plan", coach=p.get("coach_name", "")))
        case NotificationKind.WEEKLY_SUMMARY:
            return Reply.of(
                say(t, "n_weekly", done=p.get("done_load", 0), planned=p.get("planned_load", 0))
            )
        case NotificationKind.SYNC_STATUS:
            return Reply.of(say(t, "n_sync", message=p.get("message", "")))
        case _:
            return Reply.of(p.get("message") or say(t, "n_relationship", message=view.kind))


__all__ = ["NotificationView", "build_notification_view", "feel_buttons", "render_notification"]
