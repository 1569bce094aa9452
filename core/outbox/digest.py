"""The daily digest: a person's waiting "digest" rows folded into one message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Notification
from core.enums import NotificationStatus
from core.outbox.notifications import notify
from core.outbox.payloads import DailyDigestPayload, DigestItem


async def roll_up_digest(
    session: AsyncSession, clock: Clock, user_id: int, day_label: str
) -> Notification | None:
    """Fold the person's waiting "digest" rows into one daily message (once per day)."""
    rows = list(
        await session.scalars(
            select(Notification)
            .where(
                Notification.recipient_id == user_id,
                Notification.status == NotificationStatus.DIGEST,
            )
            .order_by(Notification.created_at, Notification.id)
        )
    )
    key = f"digest:{user_id}:{day_label}"
    already = await session.scalar(
        select(Notification.id).where(Notification.idempotency_key == key)
    )
    if not rows or already is not None:
        # Rows arriving after today's digest went out wait for tomorrow's.
        return None
    items = tuple(DigestItem(kind=r.kind, payload=r.payload or {}, id=r.id) for r in rows)
    digest = await notify(
        session,
        clock,
        recipient_id=user_id,
        payload=DailyDigestPayload.model_validate({"date": day_label, "items": items}),
        key=key,
        force=True,
    )
    for r in rows:
        r.status = NotificationStatus.SENT
        r.sent_at = clock.now()
        r.platform = "digest"
        r.external_message_id = f"digest:{digest.id}" if digest else None
    await session.flush()
    return digest
