"""One in-memory broker with every task registered, for the tests that drive the tasks.

The composition root builds one per process (trainlytics/container.py); the tests share
this one, and build their containers on it (`build_container(..., jobs_backend=...)`) when
they kick its tasks by name.
"""

from __future__ import annotations

import asyncio

from core.outbox.limits import RateLimiter
from core.outbox.sending import Sender
from core.settings import Settings
from trainlytics.container import Container, build_job_backend
from workers.jobs import Jobs
from workers.schedule_sources import TaskScheduleStore

jobs_backend = build_job_backend(Settings(_env_file=None, redis_url=None))
broker = jobs_backend.backend.broker
schedule_source = jobs_backend.backend.schedule_source
tasks = jobs_backend.tasks
sync_tasks = tasks.sync
send_reminder = tasks.schedules.send_reminder
reconcile_schedules = tasks.schedules.reconcile_schedules
deliver_outbox = tasks.outbox.deliver_outbox


def jobs_for(container: Container, *, senders: dict[str, Sender], limiter: RateLimiter) -> Jobs:
    """What the tasks read, on the test's database and clock, with the test's senders."""
    return Jobs(
        db=container.db,
        clock=container.clock,
        sync=container.sync,
        senders=senders,
        limiter=limiter,
        store=TaskScheduleStore(schedule_source, send_reminder),
        event_slots=asyncio.Semaphore(1),
    )
