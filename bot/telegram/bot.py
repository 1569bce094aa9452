"""The Telegram door's long-lived objects, built once per process by the composition root.

`build_door` makes the one `TelegramDoor` of the process (the root builds it only when a
bot token is set). The aiogram session points at `TRAINLYTICS_TELEGRAM_API_BASE`, so a
self-hosted Bot API server or a test fake is used unmodified.
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
from core.clock import Clock
from core.db.engine import Database
from core.jobs import JobQueue
from core.people.identities import ChatAddress
from core.settings import Settings

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


def _menu_publisher(bot: Bot) -> Callable[[ChatAddress, bool, str], Awaitable[None]]:
    async def publish(address: ChatAddress, coach: bool, locale: str) -> None:
        await publish_chat_menu(
            bot, address.chat_id or address.platform_user_id, coach=coach, locale=locale
        )

    return publish


def build_door(
    settings: Settings,
    db: Database,
    clock: Clock,
    jobs: JobQueue,
    answerer: Answerer | None = None,
) -> TelegramDoor:
    """The bot, its dispatcher and the conversation behind it.

    After a commit the conversation asks `jobs` to reconcile the person's reminders, to
    finish a Disconnect (revoke at the provider, forget the tokens) and to start the
    backfill of an account its owner agreed to move.
    """
    bot = create_bot(settings)
    storage = build_fsm_storage(settings)
    dispatcher = Dispatcher(storage=storage)
    refs = PendingRefs(db)
    dispatcher.update.outer_middleware(UpdateOnce(refs))
    dispatcher.update.outer_middleware(ChatAddressMiddleware())
    dispatcher.include_router(build_router())
    state = FsmConversationState(storage, bot_id=bot.id)
    if answerer is None:
        answerer = Conversation(
            db,
            clock,
            state,
            ConversationSettings.from_settings(
                settings, jobs=jobs, publish_menu=_menu_publisher(bot)
            ),
        )
    if db.dialect == "sqlite":
        answerer = OneWriterAnswerer(answerer)
    dispatcher["answerer"] = answerer
    dispatcher["db"] = db
    dispatcher["refs"] = refs
    return TelegramDoor(bot=bot, dispatcher=dispatcher, refs=refs)
