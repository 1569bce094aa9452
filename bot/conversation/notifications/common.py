"""What several renderers share: the subject a notice is about, days, counts."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from bot.conversation.cards import day_label
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Subject
from core.outbox.payloads import PayloadBase
from core.words import say

P = TypeVar("P", bound=PayloadBase)


def payload_of(view: NotificationView, cls: type[P]) -> P:
    """The view's payload as the type its renderer expects (the registry keys by kind,
    so a mismatch is a wiring mistake, not bad data)."""
    if not isinstance(view.payload, cls):
        raise TypeError(f"{cls.__name__} expected, got {type(view.payload).__name__}")
    return view.payload


def subject_title(view: NotificationView) -> str:
    if view.workout is not None:
        return view.workout.title
    if view.activity is not None:
        return view.activity.name or view.activity.sport
    return ""


def subject_of(view: NotificationView) -> Subject | None:
    if view.workout is not None:
        return Subject(workout_id=view.workout.id)
    if view.activity is not None:
        return Subject(activity_id=view.activity.id)
    return None


def day_or_empty(day: date | None, t: str) -> str:
    return day_label(day, t) if day else ""


def workouts_count(t: str, count: int) -> str:
    return say(t, "n_workouts_one") if count == 1 else say(t, "n_workouts_many", count=count)
