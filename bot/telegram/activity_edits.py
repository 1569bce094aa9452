"""Activity changes reaching the Telegram messages already shown for the session.

core.activities.ingest writes a `sync_status` notification `{"activity_changed": id, "change": ...}`
whenever a session is renamed, changes sport, turns private or is deleted (whatever its
source: provider, file, manual). Instead of a new message, the sender edits each message
that stands for the activity in that chat (`message_refs.activity_id`): the original
notification is rendered again from the activity as it is now (buttons included), and a
deleted session keeps its text, loses its buttons and is marked deleted. "message is not
modified" is fine (the same change shown twice). A change to a session that was never
shown in that chat sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.cards import activity_summary
from bot.conversation.notifications import build_notification_view, render_notification
from bot.conversation.types import Reply, Text
from bot.telegram.render import send_reply
from core.db.engine import Database
from core.db.models import Activity, MessageRef, Notification, User
from core.enums import Platform
from core.outbox.sending import (
    NotificationView,
    PermanentFailure,
    RecipientUnreachable,
    RetryAfter,
    SentReceipt,
    TemporaryFailure,
)

# Changes after which the session is no longer shown: deleted, or (for a coach) private.
GONE = frozenset({"deleted", "hidden"})
DELETED_MARK = {"en": "🗑 (deleted)", "fr": "🗑 (supprimée)"}


def is_activity_change(view: NotificationView) -> bool:
    return bool(view.payload.get("activity_changed"))


async def follow_activity_change(
    bot: Bot, db: Database, chat_id: str, view: NotificationView
) -> SentReceipt:
    """Edit every message of this chat standing for the changed activity."""
    activity_id = int(view.payload["activity_changed"])
    gone = view.payload.get("change") in GONE
    async with db.unit_of_work() as session:
        refs = list(
            await session.scalars(
                select(MessageRef)
                .where(
                    MessageRef.platform == str(Platform.TELEGRAM),
                    MessageRef.chat_id == chat_id,
                    MessageRef.activity_id == activity_id,
                )
                .order_by(MessageRef.id)
            )
        )
        edits = [(ref, await _edited(session, ref, view, gone)) for ref in refs]
    with telegram_errors():
        for ref, reply in edits:
            await send_reply(bot, chat_id, reply, edit_message_id=int(ref.message_id))
    return SentReceipt(refs[-1].message_id if refs else None)


async def _edited(
    session: AsyncSession, ref: MessageRef, change: NotificationView, gone: bool
) -> Reply:
    """The message as it should read now."""
    person = await session.get_one(User, change.person.user_id)
    original = await session.get(Notification, ref.notification_id) if ref.notification_id else None
    if original is not None:
        reply = render_notification(await build_notification_view(session, original))
    else:  # a reply in conversation (a file sent in chat): the session's summary line
        activity = await session.get_one(Activity, ref.activity_id)
        reply = Reply.of(activity_summary(activity, person.locale, person.units))
    if not gone:
        return reply
    # Keep what it said, drop the buttons (nothing left to answer about), mark it deleted.
    texts = [part for part in reply.parts if isinstance(part, Text)]
    mark = DELETED_MARK.get(person.locale, DELETED_MARK["en"])
    return Reply(parts=(*texts, Text.of(mark)))


@contextmanager
def telegram_errors() -> Iterator[None]:
    """Telegram's refusals as core.outbox.delivery's errors (the same mapping as the sender's)."""
    try:
        yield
    except TelegramRetryAfter as exc:
        raise RetryAfter(exc.retry_after, exc.message) from exc
    except TelegramForbiddenError as exc:
        raise RecipientUnreachable(exc.message) from exc
    except (TelegramServerError, TelegramNetworkError) as exc:
        raise TemporaryFailure(str(exc)) from exc
    except TelegramAPIError as exc:
        raise PermanentFailure(exc.message) from exc
