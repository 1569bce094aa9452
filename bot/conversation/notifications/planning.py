"""Workouts planned, moved, rescaled, skipped or done, and plans assigned."""

from __future__ import annotations

from bot.conversation.cards import day_label, workout_text
from bot.conversation.notifications.common import (
    day_or_empty,
    payload_of,
    subject_of,
    subject_title,
    workouts_count,
)
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Reply, Subject, Text
from core.outbox.payloads import NewPlanPayload, WorkoutChangedPayload, WorkoutCompletedPayload
from core.words import say


def render_new_plan(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, NewPlanPayload)
    if p.plan_id:
        return Reply.of(
            say(
                t,
                "n_new_plan_from" if view.plan_coach_name else "n_new_plan_named",
                coach=view.plan_coach_name or "",
                name=p.name,
                workouts=workouts_count(t, p.workout_count),
                start=day_or_empty(p.start, t),
            )
        )
    coach = p.coach_name or view.planner_name or ""
    if view.workout is not None:
        return Reply(
            parts=(
                Text.of(say(t, "n_new_workout", coach=coach)),
                workout_text(view.workout, t, view.units),
            ),
            stands_for=Subject(workout_id=view.workout.id),
        )
    return Reply.of(say(t, "n_new_plan", coach=coach))


def render_workout_changed(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, WorkoutChangedPayload)
    title = p.title or subject_title(view)
    athlete = view.athlete_name or ""
    if p.skipped:
        text = say(t, "n_workout_skipped", athlete=athlete, title=title)
        return Reply.of(text + (f"\n{p.reason}" if p.reason else ""), thread=subject_of(view))
    return Reply.of(_moved_or_scaled(view, p, title), thread=subject_of(view))


def _moved_or_scaled(view: NotificationView, p: WorkoutChangedPayload, title: str) -> str:
    """A moved or rescaled workout: the athlete reads "your coach", the coach the athlete."""
    t = view.locale
    who = "coach" if view.for_athlete else "athlete"
    athlete = view.athlete_name or ""
    if p.scaled_pct is not None:
        return say(t, f"n_workout_scaled_{who}", athlete=athlete, title=title, pct=p.scaled_pct)
    to = view.workout.scheduled_date if view.workout else p.to
    to_label = day_label(to, t) if to else "?"
    if p.moved_from is None:
        return say(t, f"n_workout_moved_to_{who}", athlete=athlete, title=title, to=to_label)
    day = day_label(p.moved_from, t)
    return say(t, f"n_workout_moved_{who}", athlete=athlete, title=title, day=day, to=to_label)


def render_workout_completed(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, WorkoutCompletedPayload)
    title = p.title or subject_title(view)
    text = say(t, "n_workout_completed", athlete=view.athlete_name or "", title=title)
    return Reply.of(text, thread=subject_of(view))
