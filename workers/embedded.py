"""Jobs inside `trainlytics run` when no Redis is configured: worker and scheduler in-process.

With TRAINLYTICS_REDIS_URL set this service does nothing: the `worker` and `scheduler`
processes do the work. It still waits until cancelled, because `trainlytics run` stops
everything as soon as one service returns.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from taskiq.cli.scheduler.run import SchedulerLoop

from trainlytics.container import Container

log = logging.getLogger(__name__)

# How often the in-process scheduler re-reads its sources (punctual new reminders).
UPDATE_INTERVAL = timedelta(seconds=10)


async def run_worker_and_scheduler(container: Container) -> None:
    if container.settings.redis_url:
        await asyncio.Event().wait()
        return
    from workers.broker import broker, schedule_source
    from workers.jobs import build_jobs
    from workers.scheduler import scheduler
    from workers.tasks.schedules import reconcile

    jobs = build_jobs(container, schedule_source)
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
        await jobs.aclose()
        broker.state.jobs = None
