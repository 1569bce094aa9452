"""The console sender: writes each notification as one line of text to the log/stdout.

It lets the embedded `trainlytics run` show delivery with no chat platform configured,
and it is the last-resort chat of a person who has no Telegram or Slack identity.
"""

from __future__ import annotations

import itertools
import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from core.delivery import ChatTarget, NotificationView, SentReceipt
from core.enums import Platform

log = logging.getLogger("trainlytics.console")


def _workouts(payload: Mapping[str, Any]) -> str:
    return ", ".join(w.get("title", "?") for w in payload.get("workouts", [])) or "nothing"


_TEXT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "coach_comment": lambda p: f"Your coach commented: {p.get('body', '')}",
    "athlete_comment": lambda p: f"Your athlete commented: {p.get('body', '')}",
    "new_plan": lambda p: f"New in your plan: {p.get('title') or p.get('name', 'a workout')}",
    "workout_changed": lambda p: f"Workout changed: {p.get('title', p.get('workout_id', ''))}",
    "workout_completed": lambda p: f"Workout completed: {p.get('title', p.get('workout_id'))}",
    "activity_recorded": lambda p: f"New activity recorded ({p.get('activity_id')})",
    "reminder": lambda p: f"Reminder for {p.get('date')}: {_workouts(p)}",
    "weekly_summary": lambda p: (
        f"Week {p.get('week_start')}: {p.get('activities')} activities, "
        f"load {p.get('load')}, form {p.get('form')}"
    ),
    "coach_digest": lambda p: (
        "Athletes needing attention: "
        + "; ".join(
            f"{a.get('name')} ({', '.join(r.get('reason', '') for r in a.get('reasons', []))})"
            for a in p.get("athletes", [])
        )
    ),
    "daily_digest": lambda p: f"Your digest for {p.get('date')}: {len(p.get('items', []))} updates",
    "relationship": lambda p: f"Coaching update: {p.get('event', '')}",
}


def render_text(view: NotificationView) -> str:
    """A plain one-line text for a notification of any kind."""
    render = _TEXT.get(view.kind)
    text = render(view.payload) if render else f"{view.kind}: {dict(view.payload)}"
    if view.image_png:
        text += f" [chart: {len(view.image_png)} bytes PNG]"
    return text


class ConsoleSender:
    platform = Platform.CONSOLE.value

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._ids = itertools.count(1)

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        line = f"[to {view.person.name} @console:{recipient.chat_id}] {render_text(view)}"
        log.info(line)
        stream = self._stream or sys.stdout
        print(line, file=stream, flush=True)
        return SentReceipt(external_message_id=f"console-{view.notification_id}-{next(self._ids)}")


def build_sender(_container: object) -> ConsoleSender:
    return ConsoleSender()
