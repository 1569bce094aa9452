"""What taskiq's own command line loads: `trainlytics.entry:broker` and `:scheduler`.

`trainlytics worker` and `trainlytics scheduler` run taskiq's worker and scheduler on these
(the Procfile's roles); `taskiq worker trainlytics.entry:broker` works the same. Importing
this module builds the broker and registers the tasks; each worker process builds the rest
of the container (pools, senders, sync context) when taskiq starts it, and closes it when
taskiq stops it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.observability import setup_observability
from core.settings import load_settings
from trainlytics.container import build_container, build_job_backend
from workers.jobs import Jobs, install
from workers.scheduler import build_scheduler

settings = load_settings()
jobs_backend = build_job_backend(settings)
broker = jobs_backend.backend.broker
scheduler = build_scheduler(jobs_backend.backend)


@asynccontextmanager
async def worker_jobs() -> AsyncIterator[Jobs]:
    setup_observability(settings)
    # One pooled connection per concurrent task (`--max-async-tasks`).
    container = build_container(
        settings, concurrency=settings.jobs_max_async_tasks, jobs_backend=jobs_backend
    )
    try:
        yield container.runtime
    finally:
        await container.aclose()


install(broker, worker_jobs)
