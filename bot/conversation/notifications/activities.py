"""A session that landed, and check-ins (the athlete's card, or answers to the coach)."""

from __future__ import annotations

from bot.conversation.cards import activity_summary, rpe_buttons
from bot.conversation.notifications.common import payload_of, subject_of, subject_title
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Reply, Subject
from core.outbox.payloads import ActivityRecordedPayload, CheckInPayload
from core.words import say


def render_activity_recorded(view: NotificationView) -> Reply:
    t = view.locale
    payload_of(view, ActivityRecordedPayload)
    if view.activity is None:  # the session is gone since: nothing left to show
        return Reply.of(say(t, "n_generic"))
    summary = activity_summary(view.activity, t, view.units)
    text = say(t, "n_activity_recorded", athlete=view.athlete_name or "", summary=summary)
    return Reply.of(text, stands_for=subject_of(view))


def render_check_in(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, CheckInPayload)
    activity = view.activity
    # The athlete's own card asks the questions; an echo to the coach carries the
    # answers (its "feel" key is written even when the athlete gave none).
    asks = activity is not None and p.athlete_id == activity.user_id and p.rpe is None
    if activity is not None and asks and "feel" not in p.model_fields_set:
        return Reply.of(
            activity_summary(activity, t, view.units) + "\n" + say(t, "checkin_rpe"),
            rpe_buttons("a", activity.id),
            stands_for=Subject(activity_id=activity.id),
        )
    bits = []
    if p.rpe:
        bits.append(f"RPE {p.rpe}")
    if p.feel:
        bits.append(say(t, f"feel_{p.feel}"))
    if p.pain:
        bits.append("⚠ " + (p.pain_note or say(t, "btn_pain")))
    head = say(t, "n_check_in", athlete=view.athlete_name or "", title=subject_title(view))
    return Reply.of(head + " " + " · ".join(bits), thread=subject_of(view))
