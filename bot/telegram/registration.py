"""Registering the Telegram webhook: once per deploy, however many web processes start.

Telegram keeps one webhook per bot. Every process that serves the webhook route asks
`getWebhookInfo` at start and calls `setWebhook` only when Telegram's registration differs
from what this deploy wants (URL, secret, update types). Telegram never shows the secret
back, so the registered URL carries a fingerprint of it (a query parameter the route
ignores): a changed secret changes the URL and the next start re-registers. Web processes
starting together at worst send the same `setWebhook` twice, which is harmless; a process
of an older deploy registers only at its own start, so two deploys never fight over it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.telegram.bot import WEBHOOK_PATH, TelegramDoor, webhook_secret
from bot.telegram.commands import publish_menu
from core.settings import Settings

log = logging.getLogger(__name__)

FINGERPRINT_PARAM = "v"
# Telegram or the network failing at start must not leave the bot deaf: retry with a
# backoff capped here, for as long as the process lives.
MAX_BACKOFF_S = 60.0


def webhook_url(settings: Settings) -> str:
    """`{public_url}/telegram/webhook?v=<fingerprint of the secret>`."""
    if not settings.public_url:
        raise ValueError("TRAINLYTICS_PUBLIC_URL is not set: no webhook to register.")
    secret = webhook_secret(settings).encode()
    fingerprint = hmac.new(secret, b"webhook-fingerprint", hashlib.sha256).hexdigest()[:16]
    return f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}?{FINGERPRINT_PARAM}={fingerprint}"


async def ensure_webhook(door: TelegramDoor, settings: Settings) -> bool:
    """Make Telegram's webhook this deploy's; True when `setWebhook` had to be called."""
    url = webhook_url(settings)
    allowed = sorted(door.dispatcher.resolve_used_update_types())
    info = await door.bot.get_webhook_info()
    if info.url == url and sorted(info.allowed_updates or []) == allowed:
        log.info("Telegram webhook already registered at %s", url)
        return False
    await door.bot.set_webhook(
        url=url, secret_token=webhook_secret(settings), allowed_updates=allowed
    )
    log.info("Telegram webhook registered at %s", url)
    return True


async def register_webhook(door: TelegramDoor, settings: Settings) -> None:
    """The web role's service: publish the menu and register the webhook, then return.

    Does nothing without a public URL (then `trainlytics run` long-polls).
    """
    if not settings.public_url:
        return
    delay = 1.0
    while True:
        try:
            await publish_menu(door.bot)
            await ensure_webhook(door, settings)
            return
        except TelegramRetryAfter as exc:
            await asyncio.sleep(exc.retry_after)
        except (TelegramNetworkError, TelegramServerError) as exc:
            log.warning("Telegram webhook not registered yet (%s); retrying in %.0f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_S)
        except TelegramAPIError as exc:
            # A refused token or URL does not get better by retrying: say it once, loudly.
            log.error("Telegram refused the webhook registration: %s", exc)
            return
