"""Telegram redelivers an update when our answer is slow: handle each `update_id` once.

The claim is a row in `inbound_updates` (unique on platform + key), inserted with
"ON CONFLICT DO NOTHING" so a duplicate is a no-op rather than an error that would
poison the surrounding transaction. The claim runs inside the handling's unit of work
(see `bot.telegram.middlewares.UpdateOnce`), so a handling that fails rolls its claim
back and Telegram's retry is handled again.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import InboundUpdate
from core.db.models.base import utcnow
from core.enums import Platform

# Built once per dialect (it runs on every update), on the table rather than the ORM
# class: a plain INSERT skips the ORM's bulk-insert bookkeeping.
_CLAIMS = {
    name: insert(InboundUpdate.__table__)
    .values(platform=bindparam("platform"), key=bindparam("key"), created_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["platform", "key"])
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def claim_update(
    session: AsyncSession, key: str | int, platform: Platform = Platform.TELEGRAM
) -> bool:
    """True when this update was not seen before (and is now claimed), False for a repeat."""
    statement = _CLAIMS[session.bind.dialect.name]
    result = await session.execute(
        statement, {"platform": str(platform), "key": str(key), "at": utcnow()}
    )
    return result.rowcount == 1
