"""Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`): act on it once.

Each Events API delivery carries an `event_id`; the first delivery claims it in
`inbound_updates` (platform "slack"), and any later delivery of the same id is
acknowledged and dropped. The claim is committed before the listeners run because Bolt
acknowledges first and runs listeners afterwards: a retry can arrive while the first
delivery is still being handled.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import InboundUpdate
from core.db.models.base import utcnow
from core.enums import Platform
from trainlytics.container import Container

log = logging.getLogger(__name__)

Middleware = Callable[..., Awaitable[BoltResponse | None]]


async def claim_event(session: AsyncSession, event_id: str) -> bool:
    """True the first time `event_id` is seen (now claimed), False for a redelivery.

    "ON CONFLICT DO NOTHING" makes a duplicate a no-op instead of an error that would
    poison the transaction.
    """
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(InboundUpdate)
        .values(platform=str(Platform.SLACK), key=str(event_id)[:128], created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "key"])
    )
    result = await session.execute(statement)
    return result.rowcount == 1


def skip_redelivered_events(container: Container) -> Middleware:
    async def middleware(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            async with container.db.unit_of_work() as session:
                first = await claim_event(session, event_id)
            if not first:
                retry = (req.headers.get("x-slack-retry-num") or [""])[0]
                log.info("Slack event %s delivered again (retry %s): skipped", event_id, retry)
                return BoltResponse(status=200, body="")
        return await next()

    return middleware
