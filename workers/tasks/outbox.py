"""Outbox delivery: swept every few seconds, and kicked by anyone who just wrote rows."""

from __future__ import annotations

import logging

from taskiq import Context, TaskiqDepends

from core.outbox.delivery import deliver_all_due
from core.outbox.outcomes import DeliveryReport
from core.settings import Settings
from workers.broker import broker
from workers.jobs import Jobs, jobs_of

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


@broker.task(
    task_name="trainlytics.deliver_outbox",
    schedule=[{"interval": Settings().outbox_poll_seconds}],
)
async def deliver_outbox(context: Context = TaskiqDepends()) -> int:
    """Send every due notification; returns how many went out."""
    return (await deliver(jobs_of(context.state))).sent
