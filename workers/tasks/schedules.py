"""Scheduled messages: per-person reminders, the quarter-hourly fan-out, reconciliation."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from taskiq import AsyncBroker, Context, TaskiqDepends

from core import schedules
from workers.jobs import Jobs, Task, jobs_of
from workers.tasks.outbox import deliver

log = logging.getLogger(__name__)


async def remind(jobs: Jobs, user_id: int, slot: str) -> bool:
    async with jobs.db.unit_of_work() as session:
        row = await schedules.write_reminder(session, jobs.clock, user_id, slot)
    if row is not None:
        await deliver(jobs)  # a reminder is due now, not at the next outbox sweep
    return row is not None


async def tick(jobs: Jobs) -> schedules.FanOutResult:
    async with jobs.db.unit_of_work() as session:
        result = await schedules.fan_out(session, jobs.clock)
    if result.weekly_summaries or result.coach_digests or result.daily_digests:
        await deliver(jobs)
    return result


async def reconcile(jobs: Jobs, user_id: int | None = None) -> list[int]:
    """Reconcile one person, or everybody against what the schedule source really holds.

    Returns the people whose schedules were put or removed.
    """
    async with jobs.db.unit_of_work() as session:
        if user_id is not None:
            result = await schedules.reconcile(session, user_id, jobs.store)
        else:
            result = await schedules.reconcile_all(session, jobs.store)
    if result.added or result.removed:
        log.info("schedules: %d put, %d removed", len(result.added), len(result.removed))
    return result.users


async def send_reminder(user_id: int, slot: str, context: Context = TaskiqDepends()) -> bool:
    """Fired by the person's own cron schedule (their timezone) at reminder time."""
    return await remind(jobs_of(context.state), user_id, slot)


async def fan_out(context: Context = TaskiqDepends()) -> dict[str, list[int]]:
    """Weekly summaries (Monday 07:00 local), coach digests (07:00), daily digests (18:00)."""
    result = await tick(jobs_of(context.state))
    return {
        "weekly_summaries": result.weekly_summaries,
        "coach_digests": result.coach_digests,
        "daily_digests": result.daily_digests,
    }


async def reconcile_schedules(
    user_id: int | None = None, context: Context = TaskiqDepends()
) -> list[int]:
    """Doors kick this with a user id after a reminder time or timezone change."""
    return await reconcile(jobs_of(context.state), user_id)


@dataclass(frozen=True)
class ScheduleTasks:
    send_reminder: Task
    fan_out: Task
    reconcile_schedules: Task


def register(broker: AsyncBroker) -> ScheduleTasks:
    return ScheduleTasks(
        send_reminder=broker.task(
            task_name="trainlytics.send_reminder", retry_on_error=True, max_retries=5
        )(send_reminder),
        fan_out=broker.task(
            task_name="trainlytics.fan_out",
            schedule=[{"cron": "*/15 * * * *"}],
            retry_on_error=True,
            max_retries=3,
        )(fan_out),
        reconcile_schedules=broker.task(
            task_name="trainlytics.reconcile_schedules",
            # Every minute: a wiped Redis gets its reminders back before the next one is
            # due (the scheduler fires a cron it learns of within its minute).
            schedule=[{"cron": "* * * * *"}],
            retry_on_error=True,
            max_retries=5,
        )(reconcile_schedules),
    )
