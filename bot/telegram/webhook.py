"""`POST /telegram/webhook`: where Telegram delivers updates when a public URL is set.

The secret header is compared in constant time before the body is even read; a wrong
or missing secret gets 401 and nothing is handled. The update is handled before the
answer (dedupe by update_id makes Telegram's redelivery of a slow answer harmless).

An authenticated body that is not a valid update (Telegram's schema, as aiogram's
pydantic models read it) is logged and answered 200: Telegram retries any other answer,
and the same garbage would fail the same way each time. A reply Telegram refuses with a
400 is logged and answered 200 too: the handling is committed and its `update_id`
claimed, so a redelivery would only be skipped.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram.exceptions import TelegramBadRequest
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from pydantic import ValidationError

from bot.telegram.bot import WEBHOOK_PATH, TelegramDoor, webhook_secret
from core.settings import Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

log = logging.getLogger(__name__)


def install(app: FastAPI, door: TelegramDoor | None, settings: Settings) -> None:
    """Mount the webhook route; without a door (no bot token) it answers 404."""
    secret = webhook_secret(settings).encode() if door is not None else b""
    router = APIRouter()

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        if door is None:
            raise HTTPException(status_code=404, detail="Telegram is not configured.")
        return await _handle(door, secret, request)

    app.include_router(router)


async def _handle(door: TelegramDoor, secret: bytes, request: Request) -> Response:
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret):
        raise HTTPException(status_code=401, detail="Wrong or missing secret token.")
    try:
        payload = json.loads(await request.body())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="The body is not JSON.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
        raise HTTPException(status_code=400, detail="Not a Telegram update.")
    try:
        await door.feed(payload)
    except ValidationError as exc:
        log.warning(
            "telegram update %s is not a valid update, dropped: %s",
            payload["update_id"],
            exc.errors(include_url=False, include_input=False),
        )
    except TelegramBadRequest as exc:
        log.warning("telegram refused the answer to update %s: %s", payload["update_id"], exc)
    return Response(status_code=200)
