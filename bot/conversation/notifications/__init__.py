"""An outbox row as a message: `build_notification_view` loads what it refers to, then
`render_notification(view) -> Reply` (pure) writes it for any door, with the renderer of
its kind (registry.RENDERERS; one module per family of kinds).

Senders (Telegram, Slack, console) call both: view = await build_notification_view(
session, notification); reply = render_notification(view).
"""

from bot.conversation.cards import feel_buttons
from bot.conversation.notifications.registry import RENDERERS, render_notification
from bot.conversation.notifications.scheduled import reason_text
from bot.conversation.notifications.view import NotificationView, build_notification_view

__all__ = [
    "RENDERERS",
    "NotificationView",
    "build_notification_view",
    "feel_buttons",
    "reason_text",
    "render_notification",
]
