"""Act once on each Slack delivery: a Bolt middleware over `core.inbound.claims`.

Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`): each Events API
delivery carries an `event_id`, claimed once. A slash command or an interaction (button,
modal) has no id, and a captured one stays validly signed for five minutes, so a replay
would post the same comment again: each is claimed by its signed timestamp
(`core.inbound.claims.signed_request_key`). The claim is committed before the listeners
run (`claim_committed`) because Bolt acknowledges first and runs listeners afterwards.
A repeat is answered 200 with an empty body and does nothing. Only reading the key out
of a Bolt request is Slack's; the claiming is the one mechanism Telegram uses too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from core.db.engine import Database
from core.enums import Platform
from core.inbound.claims import claim_committed, signed_request_key

log = logging.getLogger(__name__)

Middleware = Callable[..., Awaitable[BoltResponse | None]]


def delivery_key(req: AsyncBoltRequest) -> str | None:
    """What makes this delivery one: its event id, else its signed timestamp."""
    body = req.body if isinstance(req.body, dict) else {}
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return str(event_id) if event_id else None
    timestamp = (req.headers.get("x-slack-request-timestamp") or [""])[0]
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    if not (timestamp and signature):
        return None  # Bolt's signature check refuses it anyway
    return signed_request_key(timestamp, signature)


def skip_redelivered_events(db: Database) -> Middleware:
    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        key = delivery_key(req)
        if key and not await claim_committed(db, key, Platform.SLACK):
            retry = (req.headers.get("x-slack-retry-num") or [""])[0]
            log.info("Slack delivery %s seen before (retry %r): skipped", key, retry)
            return BoltResponse(status=200, body="")
        return await next()

    return middleware
