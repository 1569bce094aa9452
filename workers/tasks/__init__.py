"""Every task, registered on a broker the composition root built (`register_tasks`)."""

from __future__ import annotations

from dataclasses import dataclass

from workers.broker import JobBackend
from workers.jobs import Task
from workers.tasks import housekeeping, outbox, schedules, sync


@dataclass(frozen=True)
class Tasks:
    """The registered tasks, by what they do; kick one with `.kiq(...)`."""

    sync: sync.SyncTasks
    outbox: outbox.OutboxTasks
    schedules: schedules.ScheduleTasks
    heartbeat: Task


def register_tasks(backend: JobBackend, *, outbox_poll_seconds: int) -> Tasks:
    return Tasks(
        sync=sync.register(backend.broker, backend.schedule_source),
        outbox=outbox.register(backend.broker, outbox_poll_seconds),
        schedules=schedules.register(backend.broker),
        heartbeat=housekeeping.register(backend.broker),
    )
