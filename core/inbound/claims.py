"""Claim an inbound chat update once: the one mechanism every chat door uses.

Telegram redelivers an update (`update_id`) when our answer is slow; Slack redelivers an
event (`event_id`) it thinks we missed, and an attacker who captured a signed Slack
request can replay it within Slack's five-minute window (its timestamp and signature are
its key, `signed_request_key`). Each is claimed by a row in `inbound_updates` (unique on
platform + key), inserted with "ON CONFLICT DO NOTHING" so a duplicate is a no-op rather
than an error that would poison the surrounding transaction.

Whether the claim commits with the handling or before it is the door's choice, and both
ways live here: `claim_update` runs inside the handling's unit of work (Telegram: a failed
handling rolls its claim back, so the retry is handled again); `claim_committed` commits
the claim in a unit of work of its own first (Slack: Bolt acknowledges before its
listeners run, so a retry can arrive while the first delivery is still being handled).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import CursorResult, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import Database
from core.db.models import InboundUpdate
from core.db.models.base import Base, utcnow
from core.enums import Platform

# The key column's width: longer keys are hashed by the caller.
KEY_LENGTH = 128

# Built once per dialect (it runs on every update), on the table rather than the ORM
# class: a plain INSERT skips the ORM's bulk-insert bookkeeping.
_CLAIMS = {
    name: insert(Base.metadata.tables[InboundUpdate.__tablename__])
    .values(platform=bindparam("platform"), key=bindparam("key"), created_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["platform", "key"])
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def claim_update(
    session: AsyncSession, key: str | int, platform: Platform = Platform.TELEGRAM
) -> bool:
    """True when this update was not seen before (and is now claimed), False for a repeat."""
    statement = _CLAIMS[session.get_bind().dialect.name]
    result = await session.execute(
        statement, {"platform": str(platform), "key": str(key)[:KEY_LENGTH], "at": utcnow()}
    )
    if not isinstance(result, CursorResult):  # an INSERT without RETURNING always is one
        raise TypeError(f"an INSERT returned {type(result).__name__}, not a CursorResult")
    return result.rowcount == 1


async def claim_committed(db: Database, key: str | int, platform: Platform) -> bool:
    """`claim_update` in a unit of work of its own, committed before the handling starts."""
    async with db.unit_of_work() as session:
        return await claim_update(session, key, platform)


def signed_request_key(timestamp: str, signature: str) -> str:
    """The key of a request that carries no id of its own but a signature over its
    timestamp and whole body (two genuine requests never share it), within KEY_LENGTH."""
    return "req:" + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
