"""Claiming due rows (pending -> sending) safely across workers, and the claims' ends.

Delivery is at most once visibly: a row is claimed before it is sent, so a task that is
redelivered or runs in two workers at once never picks it up twice; a row left in
"sending" by a worker that died between send and commit is marked failed (outcome
unknown) instead of being sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from core.clock import Clock
from core.db.engine import Database
from core.db.models import Notification
from core.enums import NotificationStatus

log = logging.getLogger(__name__)

# How long a claimed row may stay in "sending" before we assume its worker died.
CLAIM_LEASE = timedelta(minutes=2)

INTERRUPTED = (
    "delivery interrupted mid-send (the worker stopped after sending began and before the "
    "outcome was recorded); outcome unknown, not resent"
)


async def expire_stale_claims(db: Database, clock: Clock) -> int:
    """Rows stuck in "sending" past their lease: their worker died mid-send.

    They may or may not have reached the person; sending again could show the message
    twice, so they are failed with a visible reason and logged instead (at most once).
    """
    async with db.unit_of_work() as session:
        result = await session.execute(
            update(Notification)
            .where(
                Notification.status == NotificationStatus.SENDING,
                Notification.next_attempt_at <= clock.now(),
            )
            .values(status=NotificationStatus.FAILED, last_error=INTERRUPTED)
            .returning(Notification.id, Notification.recipient_id)
            .execution_options(synchronize_session=False)
        )
        stale = result.all()
    for row_id, recipient_id in stale:
        log.warning("notification %s to person %s: %s", row_id, recipient_id, INTERRUPTED)
    return len(stale)


async def release_claims(db: Database, clock: Clock, ids: Sequence[int]) -> None:
    """Hand claimed rows whose send never began back to the queue (a clean stop)."""
    async with db.unit_of_work() as session:
        await session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status == NotificationStatus.SENDING)
            .values(status=NotificationStatus.PENDING, next_attempt_at=clock.now())
            .execution_options(synchronize_session=False)
        )


_CLAIMED_COLUMNS = (
    Notification.id,
    Notification.recipient_id,
    Notification.kind,
    Notification.payload,
    Notification.idempotency_key,
    Notification.attempts,
)


async def claim(db: Database, clock: Clock, batch: int) -> list[Mapping[str, Any]]:
    """Flip due rows pending -> sending in one statement, safe across concurrent workers.

    The row's next_attempt_at becomes the end of its lease. PostgreSQL: the inner SELECT
    ... FOR UPDATE SKIP LOCKED lets workers take disjoint rows without waiting. SQLite
    (one writer at a time, FOR UPDATE not rendered): the conditional `status = pending`
    in the UPDATE makes a second claimer match nothing. What the sender needs of each
    row comes back with the claim, so no second query reads it.
    """
    now = clock.now()
    due = (
        select(Notification.id)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    async with db.unit_of_work() as session:
        result = await session.execute(
            update(Notification)
            .where(Notification.id.in_(due), Notification.status == NotificationStatus.PENDING)
            .values(status=NotificationStatus.SENDING, next_attempt_at=now + CLAIM_LEASE)
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        return sorted((dict(r) for r in result.mappings()), key=lambda r: r["id"])
