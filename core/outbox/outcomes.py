"""What became of each send, and writing it down in group commits.

One `Outcome` per row attempted; `record_outcomes` writes a group of them in one
transaction (one executemany UPDATE per shape), counting them into the `DeliveryReport`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update

from core.db.engine import Database
from core.db.models import ChatIdentity, Notification
from core.enums import NotificationStatus
from core.outbox.retry import MAX_ATTEMPTS, backoff
from core.outbox.sending import ChatTarget, SentReceipt


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0  # quiet hours, rate limits, retry-after, temporary failures
    failed: int = 0
    unreachable: int = 0
    superseded: int = 0  # progress figures replaced by a newer one before being shown
    errors: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    row_id: int
    attempts: int  # before this attempt
    at: datetime
    receipt: SentReceipt | None = None
    target: ChatTarget | None = None
    retry_at: datetime | None = None
    error: str | None = None
    final: bool = False  # failed for good
    unreachable_identity: int | None = None
    count_attempt: bool = True
    superseded: bool = False


async def record_outcomes(
    db: Database,
    outcomes: Sequence[Outcome],
    report: DeliveryReport,
    rng: random.Random | None,
) -> None:
    """Write a group of outcomes: one executemany UPDATE per shape, one transaction."""
    sent: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    unreachable: list[tuple[int, datetime]] = []
    for out in outcomes:
        attempts = out.attempts + (1 if out.count_attempt else 0)
        if out.superseded:
            # Nothing to show: a newer figure of the same message is being shown instead.
            sent.append(
                {
                    "id": out.row_id,
                    "attempts": out.attempts,
                    "status": NotificationStatus.SENT,
                    "sent_at": out.at,
                    "platform": None,
                    "external_message_id": None,
                    "last_error": None,
                }
            )
            report.superseded += 1
            continue
        if out.receipt is not None:
            sent.append(
                {
                    "id": out.row_id,
                    "attempts": attempts,
                    "status": NotificationStatus.SENT,
                    "sent_at": out.at,
                    "platform": out.target.platform if out.target else None,
                    "external_message_id": out.receipt.external_message_id,
                    "last_error": None,
                }
            )
            report.sent += 1
            continue
        status, next_at = NotificationStatus.PENDING, out.at
        if out.unreachable_identity is not None:
            # Another of the person's chats may still reach them; the next pass chooses
            # again and fails the row if none is left.
            unreachable.append((out.unreachable_identity, out.at))
            report.unreachable += 1
        elif out.final:
            status = NotificationStatus.FAILED
            report.failed += 1
            if out.error:
                report.errors.append(out.error)
        elif attempts >= MAX_ATTEMPTS:
            status = NotificationStatus.FAILED
            report.failed += 1
        else:
            next_at = out.retry_at or out.at + backoff(attempts, rng)
            report.deferred += 1
        other.append(
            {
                "id": out.row_id,
                "attempts": attempts,
                "status": status,
                "next_attempt_at": next_at,
                "last_error": out.error,
            }
        )
    async with db.unit_of_work() as session:
        # ORM bulk UPDATE by primary key: an executemany, not one statement per row.
        for rows in (sent, other):
            if rows:
                await session.execute(update(Notification), rows)
        for identity_id, at in unreachable:
            await session.execute(
                update(ChatIdentity)
                .where(ChatIdentity.id == identity_id)
                .values(unreachable_at=at)
                .execution_options(synchronize_session=False)
            )
