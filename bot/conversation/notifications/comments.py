"""A comment on a workout or a session, with a button to answer it."""

from __future__ import annotations

from typing import Any

from bot.conversation.callbacks import Scope, cb
from bot.conversation.notifications.common import payload_of, subject_of, subject_title
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Button, Buttons, Reply, Text, italic
from core.outbox.payloads import AthleteCommentPayload, CoachCommentPayload
from core.words import say


def _comment(view: NotificationView, key: str, author: str, body: str) -> Reply:
    t = view.locale
    head = say(t, key, author=author, subject=subject_title(view))
    subject = subject_of(view)
    parts: list[Any] = [Text.of(head, italic(body))]
    if subject is not None:
        kind, sid = ("w", subject.workout_id) if subject.workout_id else ("a", subject.activity_id)
        parts.append(
            Buttons.of([Button(say(t, "btn_reply"), cb(Scope.COMMENT, "reply", kind, sid))])
        )
    return Reply(parts=tuple(parts), thread=subject, stands_for=subject)


def render_coach_comment(view: NotificationView) -> Reply:
    p = payload_of(view, CoachCommentPayload)
    return _comment(view, "coach_comment", p.author_name, p.body)


def render_athlete_comment(view: NotificationView) -> Reply:
    p = payload_of(view, AthleteCommentPayload)
    return _comment(view, "n_athlete_comment", p.author_name, p.body)
