"""Which Telegram message stands for a workout, activity or comment (`MessageRef` rows).

A reply that asks to be threaded (`Reply.thread`) answers the latest message standing
for its subject in that chat; a reply that `stands_for` a subject is remembered once
sent, so the person's Telegram reply to it reaches the same subject.

The conversation path does not open a transaction after sending just to remember a card:
`PendingRefs` holds the rows, and an update's own unit of work writes them as a batch
(at once when that update answers a message or presses a button, the only requests that
read them; otherwise when a batch has gathered), or a short idle timer writes them when
no update comes. Nothing reads a card's reference sooner than a person can reply to it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.types import Subject
from core.db.engine import Database
from core.db.models import MessageRef
from core.db.models.base import utcnow
from core.enums import Platform

log = logging.getLogger(__name__)


def _subject_filter(subject: Subject) -> list[object]:
    return [
        MessageRef.workout_id == subject.workout_id
        if subject.workout_id is not None
        else MessageRef.workout_id.is_(None),
        MessageRef.activity_id == subject.activity_id
        if subject.activity_id is not None
        else MessageRef.activity_id.is_(None),
        MessageRef.comment_id == subject.comment_id
        if subject.comment_id is not None
        else MessageRef.comment_id.is_(None),
    ]


async def message_for(session: AsyncSession, chat_id: str, subject: Subject) -> int | None:
    """The latest Telegram message in `chat_id` standing for `subject`, if any."""
    found = await session.scalar(
        select(MessageRef.message_id)
        .where(
            MessageRef.platform == Platform.TELEGRAM,
            MessageRef.chat_id == chat_id,
            *_subject_filter(subject),
        )
        .order_by(MessageRef.id.desc())
        .limit(1)
    )
    return int(found) if found is not None else None


async def remember(
    session: AsyncSession,
    *,
    chat_id: str,
    message_id: int,
    subject: Subject,
    user_id: int | None,
    notification_id: int | None = None,
) -> None:
    """Record what the message stands for; an edited card keeps its id and its meaning."""
    await _insert(session, [_row(chat_id, message_id, subject, user_id, notification_id)])


def _row(
    chat_id: str,
    message_id: int,
    subject: Subject,
    user_id: int | None,
    notification_id: int | None,
) -> dict[str, Any]:
    return {
        "platform": str(Platform.TELEGRAM),
        "chat_id": chat_id,
        "message_id": str(message_id),
        "user_id": user_id,
        "workout_id": subject.workout_id,
        "activity_id": subject.activity_id,
        "comment_id": subject.comment_id,
        "notification_id": notification_id,
        "kind": _kind(subject),
        "created_at": utcnow(),
    }


# "INSERT ... ON CONFLICT DO NOTHING" on (platform, chat_id, message_id) instead of a
# look-up then an insert per row: an edited card keeps its first meaning. Built once per
# dialect on the table and run with a list of rows (one executemany, one round trip): a
# multi-VALUES statement would be rebuilt and compiled for each batch size.
_INSERTS = {
    name: insert(MessageRef.__table__).on_conflict_do_nothing(
        index_elements=["platform", "chat_id", "message_id"]
    )
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(_INSERTS[session.bind.dialect.name], rows)


class PendingRefs:
    """Cards sent but not yet remembered, written by the next unit of work that asks.

    `write_into(session, now=...)` is called at the start of each update's transaction
    (see `bot.telegram.middlewares.UpdateOnce`); it writes when `now` or once `batch`
    rows wait, and if that transaction rolls back the rows are queued again. `flush()`
    writes what is left in a transaction of its own: the idle timer calls it `idle_s`
    after a card was queued if no update took the rows, and the door calls it on close.
    """

    def __init__(self, db: Database, *, batch: int = 16, idle_s: float = 0.5) -> None:
        self.db = db
        self.batch = batch
        self.idle_s = idle_s
        self._rows: list[dict[str, Any]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task[None] | None = None

    def add(
        self,
        *,
        chat_id: str,
        message_id: int,
        subject: Subject,
        user_id: int | None = None,
    ) -> None:
        self._rows.append(_row(chat_id, message_id, subject, user_id, None))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.idle_s, self._on_idle)

    def pending_for(self, chat_id: str, subject: Subject) -> int | None:
        """The latest queued card in `chat_id` standing for `subject` (not yet written)."""
        for row in reversed(self._rows):
            if row["chat_id"] == chat_id and _same_subject(row, subject):
                return int(row["message_id"])
        return None

    async def write_into(self, session: AsyncSession, *, now: bool = True) -> None:
        if not self._rows or (not now and len(self._rows) < self.batch):
            return
        rows, self._rows = self._rows, []
        try:
            await _insert(session, rows)
        except BaseException:
            self._rows[:0] = rows
            raise
        # Queued again if the surrounding transaction does not commit.
        event.listen(session.sync_session, "after_rollback", self._requeue(rows), once=True)

    def _requeue(self, rows: list[dict[str, Any]]) -> Any:
        def requeue(_session: object) -> None:
            self._rows[:0] = rows

        return requeue

    def _on_idle(self) -> None:
        self._timer = None
        if self._rows and self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush_logged())

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception("could not record %d Telegram message references", len(self._rows))
        finally:
            self._flushing = None

    async def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._rows:
            async with self.db.unit_of_work() as session:
                await self.write_into(session)


def _same_subject(row: dict[str, Any], subject: Subject) -> bool:
    return (row["workout_id"], row["activity_id"], row["comment_id"]) == (
        subject.workout_id,
        subject.activity_id,
        subject.comment_id,
    )


def _kind(subject: Subject) -> str:
    if subject.workout_id is not None:
        return "workout"
    return "activity" if subject.activity_id is not None else "comment"
