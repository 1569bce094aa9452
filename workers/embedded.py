"""Jobs inside `trainlytics run` when no Redis is configured: worker and scheduler in-process.

With TRAINLYTICS_REDIS_URL set the composition root does not start this: the `worker` and
`scheduler` processes do the work.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from taskiq import TaskiqScheduler
from taskiq.cli.scheduler.run import SchedulerLoop

from workers.broker import JobBackend
from workers.jobs import Jobs
from workers.tasks.schedules import reconcile

log = logging.getLogger(__name__)

# How often the in-process scheduler re-reads its sources (punctual new reminders).
UPDATE_INTERVAL = timedelta(seconds=10)


async def run_worker_and_scheduler(
    backend: JobBackend, jobs: Jobs, scheduler: TaskiqScheduler
) -> None:
    broker = backend.broker
    broker.state.jobs = jobs
    await broker.startup()
    for source in scheduler.sources:
        await source.startup()
    await scheduler.startup()
    try:
        # The in-memory source starts empty: reconciling against what it holds puts
        # every person's reminders in it from the database.
        people = await reconcile(jobs)
        log.info("jobs running in-process; %d people's reminders scheduled", len(people))
        await SchedulerLoop(scheduler).run(update_interval=UPDATE_INTERVAL, skip_first_run=True)
    finally:
        await scheduler.shutdown()
        for source in scheduler.sources:
            await source.shutdown()
        await broker.shutdown()
        broker.state.jobs = None
