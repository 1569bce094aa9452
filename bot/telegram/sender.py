"""The outbox sender for Telegram (`core.outbox.delivery.Sender`).

`core.outbox.delivery` chooses the chat, applies the shared rate limits (30 messages/s per bot,
1/s per chat, from `DEFAULT_LIMITS`) and records the outcome; this module writes the
message with the conversation layer's `render_notification` and sends it, translating
Telegram's answers into the protocol's errors:

- 429 `TelegramRetryAfter`          → `RetryAfter(retry_after)`: sent once, later;
- 403 `TelegramForbiddenError`      → `RecipientUnreachable` (the person blocked the bot);
- 5xx, timeouts, connection errors  → `TemporaryFailure` (backoff and retry);
- any other refusal (400, 404)      → `PermanentFailure`.

A notification may take several Telegram messages (a long text, a chart and its text).
When a later one is refused, the earlier ones already reached the person: the count of
parts sent is kept in the row's payload (`SENT_PARTS`) before the next part is tried, and
the retry starts after them, so nobody sees the same message twice.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Message

from bot.conversation.notifications import build_notification_view, render_notification
from bot.conversation.types import Image, Reply
from bot.telegram import activity_edits, threads
from bot.telegram.render import send_reply
from core.clock import Clock
from core.db.engine import Database
from core.db.models import Notification
from core.enums import Platform
from core.outbox.sending import (
    ChatTarget,
    NotificationView,
    PermanentFailure,
    RecipientUnreachable,
    RetryAfter,
    SentReceipt,
    TemporaryFailure,
)

# Payload key: how many of the notification's Telegram messages were already sent.
SENT_PARTS = "_sent_parts"


class TelegramSender:
    platform: str = Platform.TELEGRAM

    def __init__(self, bot: Bot, db: Database, clock: Clock | None = None) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock  # dates what the message says (the weekly chart's "today")

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        if activity_edits.is_activity_change(view):  # edits what is shown, sends nothing new
            return await activity_edits.follow_activity_change(
                self.bot, self.db, recipient.chat_id, view
            )
        reply = await self._reply(view)
        try:
            shown = await self._show(recipient.chat_id, reply, view)
        except TelegramRetryAfter as exc:
            raise RetryAfter(exc.retry_after, exc.message) from exc
        except TelegramForbiddenError as exc:
            raise RecipientUnreachable(exc.message) from exc
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise TemporaryFailure(str(exc)) from exc
        except TelegramAPIError as exc:
            raise PermanentFailure(exc.message) from exc
        # Nothing new shown: an edit whose text was already there (the same message).
        return SentReceipt(str(shown[-1].message_id) if shown else view.edit_of)

    async def _show(self, chat_id: str, reply: Reply, view: NotificationView) -> list[Message]:
        """`handlers.render_in_chat` for the outbox: also resumes after the parts already sent.

        A progress figure (`view.edit_of`) edits the message showing the previous one;
        when that message cannot be edited any more, a new one is sent.
        """
        already_sent = int(view.payload.get(SENT_PARTS, 0))
        reply_to = None
        if reply.thread is not None and already_sent == 0:
            async with self.db.unit_of_work() as session:
                reply_to = await threads.message_for(session, chat_id, reply.thread)

        async def record_progress(count: int) -> None:
            async with self.db.unit_of_work() as session:
                row = await session.get_one(Notification, view.notification_id)
                row.payload = {**row.payload, SENT_PARTS: count}

        shown = await send_reply(
            self.bot,
            chat_id,
            reply,
            reply_to_message_id=reply_to,
            edit_message_id=int(view.edit_of) if (view.edit_of or "").isdigit() else None,
            already_sent=already_sent,
            on_part_sent=record_progress,
        )
        if reply.stands_for is not None and shown:
            async with self.db.unit_of_work() as session:
                await threads.remember(
                    session,
                    chat_id=chat_id,
                    message_id=shown[-1].message_id,
                    subject=reply.stands_for,
                    user_id=view.person.user_id,
                    notification_id=view.notification_id,
                )
        return shown

    async def _reply(self, view: NotificationView) -> Reply:
        async with self.db.unit_of_work() as session:
            row = await session.get_one(Notification, view.notification_id)
            # The delivery already drew the weekly chart (view.image_png): pass it on so
            # it is not drawn a second time.
            built = await build_notification_view(
                session, row, clock=self.clock, chart_png=view.image_png
            )
            reply = render_notification(built)
        if view.image_png is not None and not reply.images:
            # The chart rendered by the delivery's image renderer (the weekly load chart).
            chart = Image(png=view.image_png, filename=f"{view.kind}.png")
            reply = replace(reply, parts=(*reply.parts, chart))
        return reply
