"""Outbox delivery: swept every few seconds, and kicked by anyone who just wrote rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from taskiq import AsyncBroker, Context, TaskiqDepends

from core.outbox.delivery import deliver_all_due
from core.outbox.outcomes import DeliveryReport
from workers.jobs import Jobs, Task, jobs_of

log = logging.getLogger(__name__)


async def deliver(jobs: Jobs) -> DeliveryReport:
    report = await deliver_all_due(jobs.db, jobs.clock, jobs.senders, jobs.limiter)
    if report.claimed:
        log.info(
            "outbox: %d claimed, %d sent, %d deferred, %d failed, %d unreachable",
            report.claimed,
            report.sent,
            report.deferred,
            report.failed,
            report.unreachable,
        )
    return report


async def deliver_outbox(context: Context = TaskiqDepends()) -> int:
    """Send every due notification; returns how many went out."""
    return (await deliver(jobs_of(context.state))).sent


@dataclass(frozen=True)
class OutboxTasks:
    deliver_outbox: Task


def register(broker: AsyncBroker, poll_seconds: int) -> OutboxTasks:
    """`poll_seconds`: TRAINLYTICS_OUTBOX_POLL_SECONDS, the sweep's interval."""
    return OutboxTasks(
        deliver_outbox=broker.task(
            task_name="trainlytics.deliver_outbox", schedule=[{"interval": poll_seconds}]
        )(deliver_outbox)
    )
