"""What every task needs, built once per worker process: database, clock, senders, limits."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

from taskiq import AsyncBroker, ScheduleSource, TaskiqEvents, TaskiqState

from core.clock import Clock
from core.db.engine import Database
from core.outbox.limits import RateLimiter
from core.outbox.sending import Sender
from core.schedules.store import ScheduleStore
from trainlytics.container import Container
from workers.ratelimit import MemoryTokenBuckets, RedisTokenBuckets
from workers.schedule_sources import TaskScheduleStore

log = logging.getLogger(__name__)

# Each returns the platform's Sender, or None when the platform is not configured.
SENDER_FACTORIES = (
    "bot.console.sender:build_sender",
    "bot.telegram.sender:build_sender",
    "bot.slack.sender:build_sender",
)


@dataclass
class Jobs:
    container: Container
    senders: dict[str, Sender]
    limiter: RateLimiter
    store: ScheduleStore

    @property
    def db(self) -> Database:
        return self.container.db

    @property
    def clock(self) -> Clock:
        return self.container.clock

    async def aclose(self) -> None:
        close = getattr(self.limiter, "aclose", None)
        if close is not None:
            await close()


def _resolve(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), attr, None)


def build_senders(container: Container) -> dict[str, Sender]:
    senders: dict[str, Sender] = {}
    for spec in SENDER_FACTORIES:
        factory = _resolve(spec)
        sender = factory(container) if factory is not None else None
        if sender is not None:
            senders[sender.platform] = sender
    return senders


def build_jobs(
    container: Container,
    source: ScheduleSource,
    *,
    senders: dict[str, Sender] | None = None,
    limiter: RateLimiter | None = None,
) -> Jobs:
    from workers.tasks.schedules import send_reminder

    redis_url = container.settings.redis_url
    if limiter is None:
        limiter = (
            RedisTokenBuckets.from_url(redis_url, prefix=f"{container.settings.jobs_queue_name}:")
            if redis_url
            else MemoryTokenBuckets()
        )
    return Jobs(
        container=container,
        senders=senders if senders is not None else build_senders(container),
        limiter=limiter,
        store=TaskScheduleStore(source, send_reminder),
    )


def jobs_of(state: TaskiqState) -> Jobs:
    jobs = getattr(state, "jobs", None)
    if jobs is None:
        raise RuntimeError(
            "The job runtime is not started: run tasks in `trainlytics worker` or "
            "`trainlytics run`, or set broker.state.jobs in tests."
        )
    return jobs


def install(broker: AsyncBroker, source: ScheduleSource) -> None:
    """Build the Jobs when a worker process starts, close them when it stops."""

    async def startup(state: TaskiqState) -> None:
        if getattr(state, "jobs", None) is not None:
            return  # embedded mode and tests hand their own in
        from core.observability import setup_observability
        from core.settings import load_settings
        from trainlytics.container import build_container

        settings = load_settings()
        # One pooled connection per concurrent task (`--max-async-tasks`).
        container = build_container(settings, concurrency=settings.jobs_max_async_tasks)
        setup_observability(container.settings)
        state.jobs = build_jobs(container, source)
        log.info("worker ready; senders: %s", ", ".join(state.jobs.senders) or "none")

    async def shutdown(state: TaskiqState) -> None:
        jobs: Jobs | None = getattr(state, "jobs", None)
        if jobs is not None:
            await jobs.aclose()
            await jobs.container.aclose()
            state.jobs = None

    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, startup)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, shutdown)
