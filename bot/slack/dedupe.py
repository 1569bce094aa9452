"""Act once on each Slack delivery: redelivered events and replayed requests.

Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`): each Events API
delivery carries an `event_id`, claimed once. A slash command or an interaction (button,
modal) has no id, and a captured one stays validly signed for five minutes, so a replay
would post the same comment again: each is claimed by its `X-Slack-Request-Timestamp` and
`X-Slack-Signature` (which signs that timestamp with the whole body, so two genuine
requests never share it). Claims are `core.inbound.claims.claim_update` rows (platform "slack"),
the mechanism Telegram's update ids use. The claim is committed before the listeners
run because Bolt acknowledges first and runs listeners afterwards: a retry can arrive
while the first delivery is still being handled. A repeat is answered 200 with an empty
body and does nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from core.enums import Platform
from core.inbound.claims import claim_update
from trainlytics.container import Container

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
    return "req:" + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()


def skip_redelivered_events(container: Container) -> Middleware:
    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        key = delivery_key(req)
        if key:
            async with container.db.unit_of_work() as session:
                first = await claim_update(session, key, Platform.SLACK)
            if not first:
                retry = (req.headers.get("x-slack-retry-num") or [""])[0]
                log.info("Slack delivery %s seen before (retry %r): skipped", key, retry)
                return BoltResponse(status=200, body="")
        return await next()

    return middleware
