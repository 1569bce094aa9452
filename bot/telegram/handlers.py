"""aiogram handlers: Telegram updates → conversation `Request`s → rendered `Reply`s.

The handlers hold no product rule. Each builds the neutral request (a typed line, a
pressed button, a document, a location), asks the conversation layer for replies
(`Conversation.handle`, which resolves the person and owns the unit of work, and first
calls the `claim` of `bot.telegram.middlewares.UpdateOnce` in it), and renders them.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.conversation.callbacks import Callback, InvalidCallback
from bot.conversation.dispatcher import Claim
from bot.conversation.types import (
    GeoPoint,
    IncomingFile,
    MessageKey,
    Reply,
    Request,
    RequestKind,
)
from bot.telegram import threads
from bot.telegram.render import send_reply
from core.db.engine import Database
from core.people.identities import ChatAddress

log = logging.getLogger(__name__)


class Answerer(Protocol):
    """The conversation layer as the Telegram door calls it (`bot.conversation.Conversation`)."""

    async def handle(self, request: Request, *, claim: Claim | None = None) -> list[Reply]: ...


def _message_key(message: Message) -> MessageKey:
    return MessageKey(chat_id=str(message.chat.id), message_id=str(message.message_id))


def _reply_to(message: Message) -> MessageKey | None:
    parent = message.reply_to_message
    return _message_key(parent) if parent is not None else None


async def on_text(
    message: Message,
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    address: ChatAddress,
    answerer: Answerer,
    claim: Claim | None = None,
) -> None:
    request = Request.parse_command(address, message.text or "", reply_to=_reply_to(message))
    await respond(bot, db, refs, answerer, request, claim)


async def on_document(
    message: Message,
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    address: ChatAddress,
    answerer: Answerer,
    claim: Claim | None = None,
) -> None:
    document = message.document
    assert document is not None  # the filter guarantees it

    async def fetch() -> bytes:
        buffer = await bot.download(document.file_id)
        assert buffer is not None  # no destination given: aiogram returns the bytes
        return buffer.read()

    request = Request(
        address=address,
        kind=RequestKind.FILE,
        text=message.caption or "",
        file=IncomingFile(
            filename=document.file_name or "upload",
            size=document.file_size or 0,
            fetch=fetch,
        ),
        reply_to=_reply_to(message),
    )
    await respond(bot, db, refs, answerer, request, claim)


async def on_location(
    message: Message,
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    address: ChatAddress,
    answerer: Answerer,
    claim: Claim | None = None,
) -> None:
    location = message.location
    assert location is not None  # the filter guarantees it
    request = Request(
        address=address,
        kind=RequestKind.LOCATION,
        location=GeoPoint(latitude=location.latitude, longitude=location.longitude),
    )
    await respond(bot, db, refs, answerer, request, claim)


async def on_anything_else(
    message: Message,
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    address: ChatAddress,
    answerer: Answerer,
    claim: Claim | None = None,
) -> None:
    """A photo, sticker, voice note...: the person hears what the bot can read."""
    await respond(bot, db, refs, answerer, Request(address, RequestKind.OTHER), claim)


async def on_button(
    query: CallbackQuery,
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    address: ChatAddress,
    answerer: Answerer,
    claim: Claim | None = None,
) -> None:
    try:
        callback = Callback.parse(query.data or "")
    except InvalidCallback:
        # A button of an older bot version, or forged data: say so, change nothing.
        await query.answer("This button is no longer valid. Send /help.", show_alert=True)
        return
    # Answer first: it stops the button's spinner whatever the handling takes. A webhook
    # redelivery of a press answered already is refused by Telegram; the claim then
    # skips the handling.
    with contextlib.suppress(TelegramBadRequest):
        await query.answer()
    origin = query.message
    request = Request(
        address=address,
        kind=RequestKind.BUTTON,
        callback=callback,
        origin=_message_key(origin) if isinstance(origin, Message) else None,
    )
    await respond(bot, db, refs, answerer, request, claim)


async def respond(
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    answerer: Answerer,
    request: Request,
    claim: Claim | None = None,
) -> None:
    replies = await answerer.handle(request, claim=claim)
    chat_id = request.address.chat_id or request.address.platform_user_id
    for reply in replies:
        await render_in_chat(bot, db, refs, chat_id, reply)


async def render_in_chat(
    bot: Bot,
    db: Database,
    refs: threads.PendingRefs,
    chat_id: str,
    reply: Reply,
) -> list[Message]:
    """Send one reply to a chat, threading it as it asks and queueing what it stands for."""
    reply_to = None
    if reply.thread is not None:
        reply_to = refs.pending_for(chat_id, reply.thread)
        if reply_to is None:
            async with db.unit_of_work() as session:
                reply_to = await threads.message_for(session, chat_id, reply.thread)
    edit = (
        int(reply.edit.message.message_id)
        if reply.edit is not None and reply.edit.message.chat_id == chat_id
        else None
    )
    shown = await send_reply(
        bot, chat_id, reply, reply_to_message_id=reply_to, edit_message_id=edit
    )
    if reply.stands_for is not None and shown:
        refs.add(
            chat_id=chat_id,
            message_id=shown[-1].message_id,
            subject=reply.stands_for,
        )
    return shown


# The routing filters are coroutines, not aiogram's `F.text` magic filters: aiogram runs a
# plain (non-async) filter in a worker thread (`asyncio.to_thread`), a thread hand-off on
# every update only to test one attribute.
async def has_text(message: Message) -> bool:
    return message.text is not None


async def has_document(message: Message) -> bool:
    return message.document is not None


async def has_location(message: Message) -> bool:
    return message.location is not None


async def has_data(query: CallbackQuery) -> bool:
    return query.data is not None


def build_router() -> Router:
    """A fresh router per dispatcher (an aiogram router attaches to one parent only)."""
    router = Router(name="trainlytics")
    router.message.register(on_text, has_text)
    router.message.register(on_document, has_document)
    router.message.register(on_location, has_location)
    router.message.register(on_anything_else)  # last: whatever the others did not take
    router.callback_query.register(on_button, has_data)
    return router
