"""core.jobs.JobQueue on taskiq: the doors' requests become kicked tasks."""

from __future__ import annotations

from collections.abc import Sequence

from workers.tasks import Tasks


class TaskiqJobQueue:
    def __init__(self, tasks: Tasks) -> None:
        self.tasks = tasks

    async def enqueue_backfill(self, account_id: int) -> bool:
        return await self.tasks.sync.enqueue_backfill(account_id)

    async def enqueue_events(self, event_ids: Sequence[int]) -> None:
        await self.tasks.sync.enqueue_events(event_ids)

    async def reconcile_schedules(self, user_id: int) -> None:
        await self.tasks.schedules.reconcile_schedules.kiq(user_id)

    async def finish_disconnects(self) -> None:
        await self.tasks.sync.finish_disconnects.kiq()
