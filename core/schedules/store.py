"""Per-person reminders in the scheduler's store, kept in step with the database.

Per-person reminders live in a schedule store (the scheduler's dynamic source, see
workers/); `reconcile_all` keeps it in step with the database (the source of truth)
every minute, comparing with what the store really holds, so a store that lost its data
is refilled; `reconcile` does the same for one person after a settings change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import PersonSchedule, User
from core.schedules.timing import ScheduleSpec, reminder_specs


class ScheduleStore(Protocol):
    """The scheduler's dynamic source, as core needs it (workers/ implements it)."""

    async def put(self, spec: ScheduleSpec) -> str:
        """Create or replace the schedule `spec.schedule_id`; returns its id."""
        ...

    async def remove(self, schedule_id: str) -> None: ...

    async def held(self) -> dict[str, ScheduleSpec]:
        """Every per-person schedule the store holds right now, by schedule id.

        Read from the store itself (Redis in production), never from our own records:
        what it holds is what the scheduler will fire.
        """
        ...


@dataclass
class ReconcileResult:
    added: list[str]
    removed: list[str]

    @property
    def users(self) -> list[int]:
        """The people whose schedules were put or removed."""
        return sorted({int(sid.split(":")[1]) for sid in (*self.added, *self.removed)})


_SETTINGS_COLUMNS = (User.id, User.timezone, User.reminder_evening_at, User.reminder_morning_at)


async def reconcile(session: AsyncSession, user_id: int, store: ScheduleStore) -> ReconcileResult:
    """Make one person's schedules in the store match their reminder settings.

    Kicked by the doors after a person changes a reminder time or their timezone.
    """
    person = (await session.execute(select(*_SETTINGS_COLUMNS).where(User.id == user_id))).one()
    held = {sid: s for sid, s in (await store.held()).items() if s.user_id == user_id}
    return await _converge(session, store, reminder_specs(person), held)


async def reconcile_all(session: AsyncSession, store: ScheduleStore) -> ReconcileResult:
    """Make every schedule in the store match the database, whatever the store holds.

    The database is the source of truth: a store that lost its data (Redis wiped or
    restored from an old snapshot) gets back every missing schedule, a schedule whose
    time or timezone differs is replaced, and one nobody wants any more is removed. Runs
    every minute, so a reminder due after a wipe still fires in its minute.
    """
    people = await session.execute(select(*_SETTINGS_COLUMNS).order_by(User.id))
    wanted = [spec for person in people for spec in reminder_specs(person)]
    return await _converge(session, store, wanted, await store.held())


async def _converge(
    session: AsyncSession,
    store: ScheduleStore,
    wanted: Sequence[ScheduleSpec],
    held: dict[str, ScheduleSpec],
) -> ReconcileResult:
    """Put the wanted specs the store lacks or holds differently, remove the others.

    `PersonSchedule` mirrors what was put (for operators and the admin views); it is
    never read to decide, since it cannot know what the store lost.
    """
    by_id = {spec.schedule_id: spec for spec in wanted}
    result = ReconcileResult([], [])
    for schedule_id in sorted(held.keys() - by_id.keys()):
        await store.remove(schedule_id)
        result.removed.append(schedule_id)
    for schedule_id, spec in by_id.items():
        if held.get(schedule_id) != spec:
            result.added.append(await store.put(spec))
    for user_id in result.users:
        await _record(session, user_id, [s for s in wanted if s.user_id == user_id])
    await session.flush()
    return result


async def _record(session: AsyncSession, user_id: int, specs: Sequence[ScheduleSpec]) -> None:
    rows = {
        row.kind: row
        for row in await session.scalars(
            select(PersonSchedule).where(
                PersonSchedule.user_id == user_id, PersonSchedule.kind.like("reminder_%")
            )
        )
    }
    wanted = {spec.kind: spec for spec in specs}
    for kind, stale in rows.items():
        if kind not in wanted:
            await session.delete(stale)
    for kind, spec in wanted.items():
        row = rows.get(kind)
        if row is None:
            row = PersonSchedule(user_id=user_id, kind=kind, cron="", timezone="")
            session.add(row)
        row.cron, row.timezone, row.schedule_id = spec.cron, spec.timezone, spec.schedule_id
