"""`trainlytics run` starts this when a bot token is set: polling, or a webhook.

Without `TRAINLYTICS_PUBLIC_URL` the bot long-polls getUpdates (no inbound HTTP needed,
the embedded default). With it, Telegram is told to post updates to
`{public_url}/telegram/webhook` with the secret token (`bot.telegram.registration`, the
same registration the `web` role makes), and the web app's route handles
them; this service then only keeps the registration alive until it is cancelled. Either
way the command menu is published first (`bot.telegram.commands`).
"""

from __future__ import annotations

import asyncio
import logging

from bot.telegram.bot import TelegramDoor
from bot.telegram.commands import publish_menu
from bot.telegram.registration import ensure_webhook
from core.settings import Settings

log = logging.getLogger(__name__)


async def run_bot(door: TelegramDoor, settings: Settings) -> None:
    allowed = door.dispatcher.resolve_used_update_types()
    await publish_menu(door.bot)
    if settings.public_url:
        await ensure_webhook(door, settings)  # skipped when Telegram already has it
        await asyncio.Event().wait()  # the web app's route does the work from here
        return
    # A webhook left over from an earlier deployment would make getUpdates fail (409).
    await door.bot.delete_webhook(drop_pending_updates=False)
    log.info("Telegram long polling started.")
    await door.dispatcher.start_polling(
        door.bot, handle_signals=False, close_bot_session=False, allowed_updates=allowed
    )
