"""The composition root: every long-lived object of a process, built once, in one place.

`build_container` builds them eagerly into typed fields, and the root hands each door the
narrow things it uses (`services`, the Telegram door, the Slack app, the sync context, the
job queue). Nothing else builds a broker, a bot or a pool.

The Telegram and Slack doors are built when their settings are set and the process serves
people (`doors=True`); the command-line tools (chat, demo, keys, calendar) ask for
`doors=False` and pay neither for them nor for importing aiogram and slack-bolt.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from taskiq import InMemoryBroker, TaskiqScheduler

from bot.console.sender import ConsoleSender
from core.clock import Clock, SystemClock
from core.crypto import TokenCipher
from core.db.engine import Database, pool_options
from core.jobs import JobQueue, LeftToTheSweeps
from core.observability import setup_observability
from core.outbox.limits import RateLimiter
from core.outbox.sending import Sender
from core.services import Services
from core.settings import Settings, load_settings
from core.sync.build import SyncContext, build_sync_context
from core.sync.ratelimit import RateLimitStore
from workers.broker import JobBackend, build_broker
from workers.jobs import Jobs
from workers.queue import TaskiqJobQueue
from workers.ratelimit import MemoryTokenBuckets, RedisTokenBuckets
from workers.schedule_sources import TaskScheduleStore
from workers.scheduler import build_scheduler
from workers.strava_limits import rate_limit_store
from workers.tasks import Tasks, register_tasks

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.telegram.bot import TelegramDoor

# Provider calls (token exchanges, activity downloads) give up after this.
HTTP_TIMEOUT_S = 30.0
# Webhook events processed at once when the jobs run inside the web process (in-memory
# broker): taskiq starts every kicked task at once there, so a burst of deliveries would
# start as many transactions competing with the acknowledgements for the event loop and
# SQLite's one writer. Redis workers are bounded by their own max_async_tasks instead.
EMBEDDED_EVENT_SLOTS = 1


@dataclass
class JobBackendWithTasks:
    """A broker, its schedule source and the tasks registered on it."""

    backend: JobBackend
    tasks: Tasks


@dataclass
class Container:
    settings: Settings
    db: Database
    clock: Clock
    cipher: TokenCipher
    jobs_backend: JobBackendWithTasks
    jobs: JobQueue  # what doors ask to run later
    http: httpx.AsyncClient
    rate_limits: RateLimitStore  # Strava's windows, shared by every process with Redis
    sync: SyncContext
    telegram: TelegramDoor | None
    slack: AsyncApp | None
    senders: dict[str, Sender]
    limiter: RateLimiter  # the outbox's per-chat buckets (Redis: shared by every worker)
    web_limiter: RateLimiter | None  # the web's buckets shared by every web process
    runtime: Jobs  # what the tasks of this process read
    scheduler: TaskiqScheduler
    owns_db: bool = True  # False when the caller handed its own database in (tests)

    @property
    def services(self) -> Services:
        return Services(self.settings, self.db, self.clock, self.cipher, self.jobs)

    @property
    def tasks(self) -> Tasks:
        return self.jobs_backend.tasks

    async def aclose(self) -> None:
        for limiter in (self.limiter, self.web_limiter):
            if isinstance(limiter, RedisTokenBuckets):
                await limiter.aclose()
        if self.telegram is not None:
            await self.telegram.aclose()
        if self.slack is not None:
            from bot.slack.app import close_slack_app

            await close_slack_app(self.slack)
        await self.http.aclose()
        close = getattr(self.rate_limits, "aclose", None)
        if close is not None:
            await close()
        if self.owns_db:
            await self.db.dispose()


def build_job_backend(settings: Settings) -> JobBackendWithTasks:
    """The broker (Redis streams, or in-memory when embedded) with every task registered."""
    backend = build_broker(settings)
    tasks = register_tasks(backend, outbox_poll_seconds=settings.outbox_poll_seconds)
    return JobBackendWithTasks(backend, tasks)


def build_container(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    db: Database | None = None,
    concurrency: int | None = None,
    doors: bool = True,
    jobs_backend: JobBackendWithTasks | None = None,
    jobs: JobQueue | None = None,
) -> Container:
    """`concurrency`: units of work the process runs at once (default: a web process's).

    `jobs_backend`: the broker a `trainlytics worker` process already built for taskiq
    (trainlytics/entry.py); `jobs`: the queue doors use, when not this process's broker
    (the console chat beside an embedded `trainlytics run`: `LeftToTheSweeps`).
    """
    settings = settings or load_settings()
    settings.ensure_secrets()
    url = settings.effective_database_url
    pool = pool_options(url, concurrency or settings.web_concurrency, settings.db_pool_size)
    owns_db = db is None
    db = db or Database.from_url(url, **pool)
    clock = clock or SystemClock()
    cipher = TokenCipher.from_keys(settings.encryption_key_list)
    backed = jobs_backend or build_job_backend(settings)
    queue: JobQueue = jobs or TaskiqJobQueue(backed.tasks)
    services = Services(settings, db, clock, cipher, queue)

    http = httpx.AsyncClient(timeout=HTTP_TIMEOUT_S)
    prefix = f"{settings.jobs_queue_name}:"
    rate_limits = rate_limit_store(settings.redis_url, prefix)
    sync = build_sync_context(
        settings, db=db, clock=clock, cipher=cipher, http=http, rate_limits=rate_limits
    )
    telegram = _telegram_door(services) if doors else None
    slack = _slack_app(services) if doors else None
    limiter = _token_buckets(settings) or MemoryTokenBuckets()
    senders = _senders(services, telegram, slack, limiter)
    broker = backed.backend.broker
    runtime = Jobs(
        db=db,
        clock=clock,
        sync=sync,
        senders=senders,
        limiter=limiter,
        store=TaskScheduleStore(
            backed.backend.schedule_source, backed.tasks.schedules.send_reminder
        ),
        event_slots=(
            asyncio.Semaphore(EMBEDDED_EVENT_SLOTS) if isinstance(broker, InMemoryBroker) else None
        ),
    )
    return Container(
        settings=settings,
        db=db,
        clock=clock,
        cipher=cipher,
        jobs_backend=backed,
        jobs=queue,
        http=http,
        rate_limits=rate_limits,
        sync=sync,
        telegram=telegram,
        slack=slack,
        senders=senders,
        limiter=limiter,
        web_limiter=_token_buckets(settings),
        runtime=runtime,
        scheduler=build_scheduler(backed.backend),
        owns_db=owns_db,
    )


@asynccontextmanager
async def open_worker_jobs(
    settings: Settings, jobs_backend: JobBackendWithTasks
) -> AsyncIterator[Jobs]:
    """A `trainlytics worker` process's jobs, on the broker taskiq already runs."""
    setup_observability(settings)
    # One pooled connection per concurrent task (`--max-async-tasks`).
    container = build_container(
        settings, concurrency=settings.jobs_max_async_tasks, jobs_backend=jobs_backend
    )
    try:
        yield container.runtime
    finally:
        await container.aclose()


def console_jobs(settings: Settings) -> JobQueue | None:
    """The queue of a console chat: this process's broker reaches the workers only with
    Redis; without it the jobs run inside `trainlytics run`, another process whose
    in-memory broker this one cannot reach, and that process's periodic passes
    (reconciliation every minute, the sync sweep) pick the changes up from the database.
    """
    return None if settings.redis_url else LeftToTheSweeps()


def _token_buckets(settings: Settings) -> RedisTokenBuckets | None:
    """Redis token buckets shared by every process, when Redis is configured."""
    if not settings.redis_url:
        return None
    return RedisTokenBuckets.from_url(settings.redis_url, prefix=f"{settings.jobs_queue_name}:")


# The doors are imported when built: aiogram and slack-bolt take seconds to import, which
# the console chat and the other command-line tools would pay for nothing.
def _telegram_door(services: Services) -> TelegramDoor | None:
    if not services.settings.telegram_bot_token:
        return None
    from bot.telegram.bot import build_door

    return build_door(services.settings, services.db, services.clock, services.jobs)


def _slack_app(services: Services) -> AsyncApp | None:
    from bot.slack.app import build_slack_app, slack_mode

    if slack_mode(services.settings) is None:
        return None
    return build_slack_app(services)


def _senders(
    services: Services,
    telegram: TelegramDoor | None,
    slack: AsyncApp | None,
    limiter: RateLimiter,
) -> dict[str, Sender]:
    senders: list[Sender] = [ConsoleSender(services.db)]
    if telegram is not None:
        from bot.telegram.sender import TelegramSender

        senders.append(TelegramSender(telegram.bot, services.db, services.clock))
    if slack is not None:
        from bot.slack.sender import SlackSender

        # Its per-channel buckets (posts outside the recipient's own chat) are the outbox's
        # (Redis when configured), so every worker counts the same messages.
        senders.append(SlackSender(slack, services.db, services.clock, limiter))
    return {str(sender.platform): sender for sender in senders}
