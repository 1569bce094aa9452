"""`POST /telegram/webhook`: where Telegram delivers updates when a public URL is set.

The secret header is compared in constant time before the body is even read; a wrong
or missing secret gets 401 and nothing is handled. The update is handled before the
answer (dedupe by update_id makes Telegram's redelivery of a slow answer harmless).
"""

from __future__ import annotations

import hmac
import json

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from bot.telegram.bot import WEBHOOK_PATH, door_of, webhook_secret
from trainlytics.container import Container
from web.app import container_of

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

router = APIRouter()


@router.post(WEBHOOK_PATH, include_in_schema=False)
async def telegram_webhook(
    request: Request, container: Container = Depends(container_of)
) -> Response:
    door = door_of(container)
    if door is None:
        raise HTTPException(status_code=404, detail="Telegram is not configured.")
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), webhook_secret(container.settings).encode()):
        raise HTTPException(status_code=401, detail="Wrong or missing secret token.")
    try:
        payload = json.loads(await request.body())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="The body is not JSON.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
        raise HTTPException(status_code=400, detail="Not a Telegram update.")
    await door.feed(payload)
    return Response(status_code=200)
