"""Dispatcher middlewares: each update handled once, and the person's chat address.

`UpdateOnce` is an outer middleware on every update, so the webhook route and polling
share it. It gives the handlers a `claim`: the conversation layer calls it first inside
the update's one unit of work (`Conversation.handle(request, claim=...)`), so claiming
the `update_id` costs one statement and no transaction of its own, and it rolls back
with the handling: a failed handling leaves the update unclaimed, and Telegram's
redelivery is handled again; a redelivery of a handled (or in-flight) update is
skipped. Once the handling is committed the claim stays even if sending the answer
fails, so a redelivery never stores a change twice. The same unit of work writes the
cards the previous updates sent (`bot.telegram.threads.PendingRefs`).

`ChatAddressMiddleware` turns the aiogram user and chat into the core `ChatAddress`
the conversation layer resolves the person from (as `address`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.dispatcher import Claim
from bot.telegram.threads import PendingRefs
from core.enums import Platform
from core.inbound.claims import claim_update
from core.people.identities import ChatAddress

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateOnce(BaseMiddleware):
    """Adds `claim` (see the module docstring) for every update."""

    def __init__(self, refs: PendingRefs) -> None:
        self.refs = refs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            data["claim"] = self._claim_for(event.update_id, reads_refs=_reads_refs(event))
        return await handler(event, data)

    def _claim_for(self, update_id: int, *, reads_refs: bool) -> Claim:
        async def claim(session: AsyncSession) -> bool:
            await self.refs.write_into(session, now=reads_refs)
            if await claim_update(session, update_id):
                return True
            log.info("telegram update %s already handled: skipped", update_id)
            return False

        return claim


def _reads_refs(update: Update) -> bool:
    """A reply to a message or a pressed button may look up what a card stands for."""
    message = update.message
    return update.callback_query is not None or (
        message is not None and message.reply_to_message is not None
    )


def chat_address(user: User, chat_id: int | None) -> ChatAddress:
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or user.username
    return ChatAddress(
        platform=Platform.TELEGRAM,
        platform_user_id=str(user.id),
        chat_id=str(chat_id if chat_id is not None else user.id),
        display_name=name,
        language_code=user.language_code,
    )


class ChatAddressMiddleware(BaseMiddleware):
    """Adds `address` for updates from a person (not for channel posts or bots)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return UNHANDLED
        chat = data.get("event_chat")
        data["address"] = chat_address(user, chat.id if chat is not None else None)
        return await handler(event, data)
