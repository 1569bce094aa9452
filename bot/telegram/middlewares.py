"""Dispatcher middlewares: each update handled once, and the person's chat address.

`UpdateOnce` is an outer middleware on every update, so the webhook route and polling
share it. It claims the `update_id` in a short transaction of its own, committed before
the handling: the conversation layer opens its own unit of work, and on SQLite (one
writer at a time) a claim held open around it would wait on itself. A failed handling
releases the claim, so Telegram's redelivery is handled again; a redelivery of a handled
(or in-flight) update is skipped.

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

from bot.telegram.dedupe import claim_update, release_update
from core.accounts import ChatAddress
from core.db.engine import Database
from core.enums import Platform

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateOnce(BaseMiddleware):
    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        async with self.db.unit_of_work() as session:
            claimed = await claim_update(session, event.update_id)
        if not claimed:
            log.info("telegram update %s already handled: skipped", event.update_id)
            return UNHANDLED
        try:
            return await handler(event, data)
        except BaseException:
            async with self.db.unit_of_work() as session:
                await release_update(session, event.update_id)
            raise


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
