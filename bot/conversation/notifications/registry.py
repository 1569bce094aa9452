"""One renderer per notification kind, looked up by kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.conversation.notifications.accounts import render_relationship, render_sync_status
from bot.conversation.notifications.activities import render_activity_recorded, render_check_in
from bot.conversation.notifications.comments import render_athlete_comment, render_coach_comment
from bot.conversation.notifications.planning import (
    render_new_plan,
    render_workout_changed,
    render_workout_completed,
)
from bot.conversation.notifications.scheduled import (
    render_coach_digest,
    render_daily_digest,
    render_reminder,
    render_weekly_summary,
)
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Reply
from core.enums import NotificationKind

Renderer = Callable[[NotificationView], Reply]

RENDERERS: Mapping[NotificationKind, Renderer] = {
    NotificationKind.COACH_COMMENT: render_coach_comment,
    NotificationKind.ATHLETE_COMMENT: render_athlete_comment,
    NotificationKind.NEW_PLAN: render_new_plan,
    NotificationKind.WORKOUT_CHANGED: render_workout_changed,
    NotificationKind.WORKOUT_COMPLETED: render_workout_completed,
    NotificationKind.ACTIVITY_RECORDED: render_activity_recorded,
    NotificationKind.CHECK_IN: render_check_in,
    NotificationKind.REMINDER: render_reminder,
    NotificationKind.WEEKLY_SUMMARY: render_weekly_summary,
    NotificationKind.COACH_DIGEST: render_coach_digest,
    NotificationKind.DAILY_DIGEST: render_daily_digest,
    NotificationKind.SYNC_STATUS: render_sync_status,
    NotificationKind.RELATIONSHIP: render_relationship,
}


def render_notification(view: NotificationView) -> Reply:
    """The message for any door: the renderer of the view's kind (pure)."""
    return RENDERERS[view.kind](view)
