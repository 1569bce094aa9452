"""The console sender: prints each notification as the person would read it in a chat.

It lets the embedded `trainlytics run` show delivery with no chat platform configured,
and it is the last-resort chat of a person who has no Telegram or Slack identity. The
text comes from the conversation layer's `render_notification`, like on Telegram.
"""

from __future__ import annotations

import itertools
import logging
import sys
from typing import TextIO

from bot.conversation.markup import to_plain
from bot.conversation.notifications import build_notification_view, render_notification
from bot.conversation.types import Reply
from core.db.engine import Database
from core.db.models import Notification
from core.delivery import ChatTarget, NotificationView, SentReceipt
from core.enums import Platform

log = logging.getLogger("trainlytics.console")


def plain_lines(reply: Reply) -> list[str]:
    """The reply as terminal lines: texts, then buttons as [labels], images by size."""
    lines = [to_plain(text) for text in reply.texts]
    labels = [button.label for button in reply.buttons]
    if labels:
        lines.append("  " + "  ".join(f"[{label}]" for label in labels))
    lines += [f"  (image {image.filename}, {len(image.png)} bytes)" for image in reply.images]
    return lines


class ConsoleSender:
    platform = Platform.CONSOLE.value

    def __init__(self, db: Database, stream: TextIO | None = None) -> None:
        self._db = db
        self._stream = stream
        self._ids = itertools.count(1)

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        async with self._db.unit_of_work() as session:
            row = await session.get_one(Notification, view.notification_id)
            built = await build_notification_view(session, row, chart_png=view.image_png)
            reply = render_notification(built)
        header = f"[to {view.person.name} @console:{recipient.chat_id}]"
        text = "\n".join([header, *plain_lines(reply)])
        log.debug("console delivery %s", view.idempotency_key)
        print(text, file=self._stream or sys.stdout, flush=True)
        return SentReceipt(external_message_id=f"console-{view.notification_id}-{next(self._ids)}")


def build_sender(container: object) -> ConsoleSender:
    return ConsoleSender(container.db)  # type: ignore[attr-defined]
