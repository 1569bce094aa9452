"""The Telegram door's long-lived objects, built once from the settings.

`door_of(container)` returns the one `TelegramDoor` of the process (kept in
`container.extras["telegram"]`), or None when no bot token is set. The aiogram session
points at `TRAINLYTICS_TELEGRAM_API_BASE`, so a self-hosted Bot API server or a test
fake is used unmodified.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageText,
    GetFile,
    GetUpdates,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    SetWebhook,
)
from aiogram.methods.base import Response
from aiogram.types import Update

from bot.conversation.context import ConversationSettings
from bot.conversation.dispatcher import Claim, Conversation
from bot.conversation.types import Reply, Request
from bot.telegram.commands import publish_chat_menu
from bot.telegram.handlers import Answerer, build_router
from bot.telegram.middlewares import ChatAddressMiddleware, UpdateOnce
from bot.telegram.storage import FsmConversationState, build_fsm_storage
from bot.telegram.threads import PendingRefs
from core.people.identities import ChatAddress
from core.settings import Settings
from trainlytics.container import Container

EXTRA_KEY = "telegram"
WEBHOOK_PATH = "/telegram/webhook"

# aiogram reads every API answer as `Response[<the method's return type>]`, and pydantic
# keeps parametrised models in a weak cache: after a garbage collection the model is
# rebuilt from its schema (tens of milliseconds, inside a person's request). Holding the
# ones the door uses keeps that a dictionary hit for the life of the process.
_RESPONSE_MODELS = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        SendMessage,
        SendPhoto,
        EditMessageText,
        AnswerCallbackQuery,
        GetFile,
        GetUpdates,
        SetMyCommands,
        SetWebhook,
        DeleteWebhook,
    )
)


def create_bot(settings: Settings) -> Bot:
    if not settings.telegram_bot_token:
        raise ValueError("TRAINLYTICS_TELEGRAM_BOT_TOKEN is not set.")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(token=settings.telegram_bot_token, session=session)


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token.

    TRAINLYTICS_TELEGRAM_WEBHOOK_SECRET when set (production requires it); otherwise
    derived from the secret key, so a development webhook is still authenticated.
    Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -: hex qualifies.
    """
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    if not settings.secret_key:
        raise ValueError("Set TRAINLYTICS_TELEGRAM_WEBHOOK_SECRET or TRAINLYTICS_SECRET_KEY.")
    return hmac.new(settings.secret_key.encode(), b"telegram-webhook", hashlib.sha256).hexdigest()


@dataclass
class TelegramDoor:
    bot: Bot
    dispatcher: Dispatcher
    refs: PendingRefs

    async def feed(self, payload: dict[str, Any]) -> Any:
        """Handle one update posted by Telegram (the webhook path)."""
        update = Update.model_validate(payload, context={"bot": self.bot})
        return await self.dispatcher.feed_update(self.bot, update)

    async def aclose(self) -> None:
        await self.refs.flush()
        await self.dispatcher.storage.close()
        await self.bot.session.close()


class OneWriterAnswerer:
    """Hands updates to the conversation layer one at a time (SQLite only).

    Each update's unit of work writes (its `update_id` claim), and SQLite has one writer:
    concurrent units of work would wait on each other inside SQLite's busy handler, which
    polls with sleeps of up to 100 ms. Queueing them on an asyncio lock instead hands the
    database over the moment the previous one commits; sending the answers stays
    concurrent.
    """

    def __init__(self, inner: Answerer) -> None:
        self.inner = inner
        self.lock = asyncio.Lock()

    async def handle(self, request: Request, *, claim: Claim | None = None) -> list[Reply]:
        async with self.lock:
            return await self.inner.handle(request, claim=claim)


async def reconcile_reminders(user_id: int) -> None:
    """Queue `trainlytics.reconcile_schedules` for one person after a reminder/timezone change.

    Imported when called: importing the task builds the process's broker, which a door
    that never reschedules (and its tests) should not pay for. The broker is the one
    `trainlytics run` starts in-process without Redis, or the Redis queue the workers read.
    """
    from workers.tasks.schedules import reconcile_schedules

    await reconcile_schedules.kiq(user_id)


async def finish_disconnect(user_id: int) -> None:
    """Queue `trainlytics.sync.finish_disconnects` after a person's Disconnect committed:
    it revokes the grant at the provider and forgets the tokens (all pending disconnects,
    so `user_id` only names whose click it was). Imported when called, like the above.
    """
    from workers.tasks.sync import finish_disconnects

    await finish_disconnects.kiq()


async def start_backfill(account_id: int) -> None:
    """Queue the backfill of a provider account its owner agreed to move to someone else.
    Imported when called, like the above."""
    from workers.tasks.sync import enqueue_backfill

    await enqueue_backfill(account_id)


def _menu_publisher(bot: Bot) -> Callable[[ChatAddress, bool, str], Awaitable[None]]:
    async def publish(address: ChatAddress, coach: bool, locale: str) -> None:
        await publish_chat_menu(
            bot, address.chat_id or address.platform_user_id, coach=coach, locale=locale
        )

    return publish


def build_door(container: Container, answerer: Answerer | None = None) -> TelegramDoor:
    settings = container.settings
    bot = create_bot(settings)
    storage = build_fsm_storage(settings)
    dispatcher = Dispatcher(storage=storage)
    refs = PendingRefs(container.db)
    dispatcher.update.outer_middleware(UpdateOnce(refs))
    dispatcher.update.outer_middleware(ChatAddressMiddleware())
    dispatcher.include_router(build_router())
    state = FsmConversationState(storage, bot_id=bot.id)
    if answerer is None:
        answerer = Conversation(
            container.db,
            container.clock,
            state,
            ConversationSettings.from_settings(
                settings,
                reschedule=reconcile_reminders,
                after_disconnect=finish_disconnect,
                after_connect=start_backfill,
                publish_menu=_menu_publisher(bot),
            ),
        )
    if container.db.dialect == "sqlite":
        answerer = OneWriterAnswerer(answerer)
    dispatcher["answerer"] = answerer
    dispatcher["db"] = container.db
    dispatcher["refs"] = refs
    return TelegramDoor(bot=bot, dispatcher=dispatcher, refs=refs)


def door_of(container: Container) -> TelegramDoor | None:
    """The process's Telegram door, built on first use; None when Telegram is off."""
    if not container.settings.telegram_bot_token:
        return None
    door = container.extras.get(EXTRA_KEY)
    if door is None:
        door = container.extras[EXTRA_KEY] = build_door(container)
    return door
