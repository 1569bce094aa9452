"""The console chat's side of console delivery: the notifications waiting for this person.

`bot.console.sender` accepts a console notification as `WAITING`; `waiting_replies` reads
the person's waiting rows (oldest first), renders each as the conversation layer does for
every platform (`render_notification`: same words, same buttons) and marks it shown, in
one unit of work: a chat that stops halfway shows the rest next time.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.conversation.notifications import build_notification_view, render_notification
from bot.conversation.types import Reply
from core.clock import Clock
from core.db.engine import Database
from core.db.models import ChatIdentity, Notification
from core.enums import NotificationStatus, Platform
from core.people.identities import ChatAddress

from .sender import WAITING

SHOWN_PREFIX = "console:shown:"


async def waiting_replies(db: Database, clock: Clock, address: ChatAddress) -> list[Reply]:
    async with db.unit_of_work() as session:
        user_id = await session.scalar(
            select(ChatIdentity.user_id).where(
                ChatIdentity.platform == Platform.CONSOLE,
                ChatIdentity.platform_user_id == address.platform_user_id,
            )
        )
        if user_id is None:
            return []
        rows = await session.scalars(
            select(Notification)
            .where(
                Notification.recipient_id == user_id,
                Notification.platform == Platform.CONSOLE,
                Notification.status == NotificationStatus.SENT,
                Notification.external_message_id == WAITING,
            )
            .order_by(Notification.id)
        )
        replies = []
        for row in rows:
            built = await build_notification_view(session, row, clock=clock)
            replies.append(render_notification(built))
            row.external_message_id = f"{SHOWN_PREFIX}{row.id}"
        return replies
