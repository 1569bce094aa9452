"""The outbox: core never talks to a chat platform, it writes notification rows.

Rows are written in the caller's transaction, so a notification exists exactly when the
change that caused it was committed. Delivery (workers) reads them later.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Notification, NotificationPreference
from core.enums import DeliveryMode, NotificationKind, NotificationStatus
from core.errors import InvalidInput
from core.outbox.payloads import NotificationPayload

# Kinds a person may switch to digest or off. Reminders and relationship events are
# instant by default; everything is instant unless the person chose otherwise.
DEFAULT_MODES: dict[str, DeliveryMode] = {
    kind.value: DeliveryMode.INSTANT for kind in NotificationKind
}


async def preference(session: AsyncSession, user_id: int, kind: str) -> DeliveryMode:
    row = await session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    return DeliveryMode(row.mode) if row else DEFAULT_MODES.get(kind, DeliveryMode.INSTANT)


async def preferences(session: AsyncSession, user_id: int) -> dict[str, DeliveryMode]:
    chosen = {
        row.kind: DeliveryMode(row.mode)
        for row in await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return {**DEFAULT_MODES, **chosen}


async def set_preference(
    session: AsyncSession, user_id: int, kind: str, mode: DeliveryMode | str
) -> None:
    if kind not in DEFAULT_MODES:
        raise InvalidInput("refuse_unknown_notification_kind", kind=kind)
    try:
        mode = DeliveryMode(mode)
    except ValueError as exc:
        raise InvalidInput("refuse_choose_instant_digest_or_off") from exc
    row = await session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    if row is None:
        session.add(NotificationPreference(user_id=user_id, kind=kind, mode=mode))
    else:
        row.mode = mode
    await session.flush()


async def notify(
    session: AsyncSession,
    clock: Clock,
    *,
    recipient_id: int,
    payload: NotificationPayload,
    key: str,
    force: bool = False,
) -> Notification | None:
    """Write one outbox row, unless the person turned this kind off or it already exists.

    `key` is the idempotency key: the same event notifies once however often it is
    processed. `force` ignores the preference (for replies a person explicitly asked for).
    The row's kind is the payload's; the payload is stored as its JSON (`to_row`).
    """
    kind = payload.kind
    existing = await session.scalar(select(Notification).where(Notification.idempotency_key == key))
    if existing is not None:
        return existing
    mode = DeliveryMode.INSTANT if force else await preference(session, recipient_id, kind)
    if mode == DeliveryMode.OFF:
        return None
    row = Notification(
        recipient_id=recipient_id,
        kind=kind,
        payload=payload.to_row(),
        idempotency_key=key,
        status=NotificationStatus.DIGEST
        if mode == DeliveryMode.DIGEST
        else NotificationStatus.PENDING,
        next_attempt_at=clock.now(),
    )
    session.add(row)
    await session.flush()
    return row
