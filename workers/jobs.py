"""What every task needs, built once per process by the composition root.

A task reads it from taskiq's state (`jobs_of(context.state)`). The root builds it: inside
`trainlytics run` it is handed to the in-process broker directly; a `trainlytics worker`
process builds it when taskiq starts the worker (`install`, with the root's factory).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqEvents, TaskiqState

from core.clock import Clock
from core.db.engine import Database
from core.outbox.limits import RateLimiter
from core.outbox.sending import Sender
from core.schedules.store import ScheduleStore
from core.sync.build import SyncContext

log = logging.getLogger(__name__)

# A registered task, kicked with `.kiq(...)` (taskiq's generic types do not follow an
# async function through `broker.task(...)(fn)`; the arguments are checked by the tests).
Task = AsyncTaskiqDecoratedTask[Any, Any]


@dataclass
class Jobs:
    db: Database
    clock: Clock
    sync: SyncContext
    senders: dict[str, Sender]
    limiter: RateLimiter
    store: ScheduleStore
    # Webhook events processed at once inside the web process (in-memory broker), where
    # taskiq starts every kicked task at once; None with Redis workers (max_async_tasks).
    event_slots: asyncio.Semaphore | None = None


def jobs_of(state: TaskiqState) -> Jobs:
    jobs: Jobs | None = getattr(state, "jobs", None)
    if jobs is None:
        raise RuntimeError(
            "The job runtime is not started: run tasks in `trainlytics worker` or "
            "`trainlytics run`, or set broker.state.jobs in tests."
        )
    return jobs


JobsFactory = Callable[[], AbstractAsyncContextManager[Jobs]]


def install(broker: AsyncBroker, open_jobs: JobsFactory) -> None:
    """Open the Jobs when a worker process starts (`open_jobs`, from the root), close them
    when it stops. A process that hands its own in (embedded, tests) keeps them."""
    stack = AsyncExitStack()
    opened = False

    async def startup(state: TaskiqState) -> None:
        nonlocal opened
        if getattr(state, "jobs", None) is not None:
            return
        state.jobs = await stack.enter_async_context(open_jobs())
        opened = True
        log.info("worker ready; senders: %s", ", ".join(state.jobs.senders) or "none")

    async def shutdown(state: TaskiqState) -> None:
        nonlocal opened
        if opened:
            await stack.aclose()
            state.jobs = None
            opened = False

    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, startup)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, shutdown)
