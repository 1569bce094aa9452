"""Where per-person schedules live: Redis in production, memory when embedded."""

from __future__ import annotations

from taskiq import AsyncTaskiqDecoratedTask, ScheduleSource
from taskiq.scheduler.scheduled_task import CronSpec, ScheduledTask

from core.schedules.timing import ReminderSlot, ScheduleSpec


class MemoryScheduleSource(ScheduleSource):
    """A dynamic schedule source held in this process (taskiq ships none).

    Used by the embedded single-process mode and the tests; one-off (`time`) schedules,
    such as delayed retries, are dropped once sent, like the Redis source does.
    """

    def __init__(self) -> None:
        self.schedules: dict[str, ScheduledTask] = {}

    async def get_schedules(self) -> list[ScheduledTask]:
        return list(self.schedules.values())

    async def add_schedule(self, schedule: ScheduledTask) -> None:
        self.schedules[schedule.schedule_id] = schedule

    async def delete_schedule(self, schedule_id: str) -> None:
        self.schedules.pop(schedule_id, None)

    async def post_send(self, task: ScheduledTask) -> None:
        if task.time is not None:
            self.schedules.pop(task.schedule_id, None)


class TaskScheduleStore:
    """core.schedules.store.ScheduleStore on a taskiq source: cron in the person's timezone."""

    def __init__(self, source: ScheduleSource, task: AsyncTaskiqDecoratedTask) -> None:
        self.source = source
        self.task = task

    async def put(self, spec: ScheduleSpec) -> str:
        # Delete first: adding an existing id to the Redis source would list it twice.
        await self.source.delete_schedule(spec.schedule_id)
        minutes, hours, days, months, weekdays = spec.cron.split()
        cron = CronSpec(
            minutes=minutes,
            hours=hours,
            days=days,
            months=months,
            weekdays=weekdays,
            offset=spec.timezone,  # an IANA name: taskiq converts with zoneinfo (DST-safe)
        )
        created = await (
            self.task.kicker()
            .with_schedule_id(spec.schedule_id)
            .schedule_by_cron(self.source, cron, spec.user_id, str(spec.slot))
        )
        return created.schedule_id

    async def remove(self, schedule_id: str) -> None:
        await self.source.delete_schedule(schedule_id)

    async def held(self) -> dict[str, ScheduleSpec]:
        """The per-person cron schedules of this task that the source holds now."""
        held: dict[str, ScheduleSpec] = {}
        for schedule in await self.source.get_schedules():
            if schedule.task_name != self.task.task_name or schedule.cron is None:
                continue
            try:
                user_id, slot = int(schedule.args[0]), ReminderSlot(schedule.args[1])
            except (IndexError, TypeError, ValueError):
                user_id, slot = 0, ReminderSlot.MORNING  # unreadable: never wanted, removed
            held[schedule.schedule_id] = ScheduleSpec(
                user_id, slot, schedule.cron, str(schedule.cron_offset or "UTC")
            )
        return held
