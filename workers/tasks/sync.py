"""Provider sync jobs: thin wrappers around core.sync.orchestrator.

A step that must wait (rate limit, provider outage) is scheduled again at its
`retry_at` through the schedule source, rather than failing into the generic retry.
Anything else that fails (a database error, a pool timeout, a lost connection, a race
that lost) raises into the broker's retry middleware: every sync job retries with
exponential backoff (workers.retry). What a lost retry would leave behind is found by
the sweep from the database: stranded webhook events and backfills whose lease ran out
or whose trigger never arrived.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from taskiq import AsyncTaskiqDecoratedTask, Context, InMemoryBroker, TaskiqDepends

from core.sync import orchestrator
from core.sync.build import SyncContext, build_sync_context
from core.sync.connections.disconnects import finish_disconnects as finish_disconnects_now
from core.sync.orchestrator import StepResult
from trainlytics.container import Container
from workers.broker import broker, schedule_source
from workers.jobs import jobs_of
from workers.strava_limits import rate_limit_store

log = logging.getLogger(__name__)

HTTP_TIMEOUT_S = 30.0
EXTRA_KEY = "sync"
# Webhook events processed at once when the jobs run inside the web process (in-memory
# broker): taskiq starts every kicked task at once there, so a burst of deliveries would
# start as many transactions competing with the acknowledgements for the event loop and
# SQLite's one writer. Redis workers are bounded by their own max_async_tasks instead.
EMBEDDED_EVENT_SLOTS = 1
DISCONNECT_BATCH = 100
# Retries of a failing sync job: 5 s, 10 s, 20 s ... (workers.retry), about 20 minutes
# in all; the sweep takes over after that.
SYNC_RETRIES = 9
RETRY = {"retry_on_error": True, "max_retries": SYNC_RETRIES}


class SyncRuntime:
    """The process's SyncContext and what it owns (HTTP client, rate-limit store)."""

    def __init__(self, container: Container) -> None:
        settings = container.settings
        self.http = httpx.AsyncClient(timeout=HTTP_TIMEOUT_S)
        self.rate_limits = rate_limit_store(
            settings.redis_url, f"{getattr(settings, 'jobs_queue_name', 'trainlytics')}:"
        )
        self.context = build_sync_context(
            settings,
            db=container.db,
            clock=container.clock,
            cipher=container.cipher,
            http=self.http,
            rate_limits=self.rate_limits,
        )

    async def aclose(self) -> None:
        await self.http.aclose()
        close = getattr(self.rate_limits, "aclose", None)
        if close is not None:
            await close()


def sync_context_of(container: Container) -> SyncContext:
    """One SyncContext per process, kept in `container.extras` (closed with it)."""
    runtime = container.extras.get(EXTRA_KEY)
    if runtime is None:
        runtime = container.extras[EXTRA_KEY] = SyncRuntime(container)
    return runtime.context


async def _follow_up(
    task: AsyncTaskiqDecoratedTask, result: StepResult, target_id: int, attempt: int
) -> None:
    if result.finished or result.retry_at is None:
        return
    if result.outcome == "more to do":
        await task.kiq(target_id, 0)
        return
    log.info(
        "%s %s deferred to %s (%s)", task.task_name, target_id, result.retry_at, result.outcome
    )
    await task.kicker().schedule_by_time(schedule_source, result.retry_at, target_id, attempt + 1)


def _event_slots(container: Container) -> asyncio.Semaphore | None:
    if not isinstance(broker, InMemoryBroker):
        return None
    slots = container.extras.get("sync_event_slots")
    if slots is None:
        slots = container.extras["sync_event_slots"] = asyncio.Semaphore(EMBEDDED_EVENT_SLOTS)
    return slots


@broker.task(task_name="trainlytics.sync.process_event", **RETRY)
async def process_event(event_id: int, attempt: int = 0, context: Context = TaskiqDepends()) -> str:
    container = jobs_of(context.state).container
    ctx = sync_context_of(container)
    slots = _event_slots(container)
    if slots is None:
        result = await orchestrator.process_event(ctx, event_id, attempt=attempt)
    else:
        async with slots:
            result = await orchestrator.process_event(ctx, event_id, attempt=attempt)
    await _follow_up(process_event, result, event_id, attempt)
    return result.outcome


@broker.task(task_name="trainlytics.sync.backfill", **RETRY)
async def backfill(account_id: int, attempt: int = 0, context: Context = TaskiqDepends()) -> str:
    ctx = sync_context_of(jobs_of(context.state).container)
    result = await orchestrator.backfill_step(ctx, account_id, attempt=attempt)
    await _follow_up(backfill, result, account_id, attempt)
    return result.outcome


@broker.task(task_name="trainlytics.sync.poll_account", **RETRY)
async def poll_account(
    account_id: int, attempt: int = 0, context: Context = TaskiqDepends()
) -> str:
    ctx = sync_context_of(jobs_of(context.state).container)
    result = await orchestrator.poll_account(ctx, account_id, attempt=attempt)
    await _follow_up(poll_account, result, account_id, attempt)
    return result.outcome


@broker.task(task_name="trainlytics.sync.poll_all", schedule=[{"cron": "17 * * * *"}], **RETRY)
async def poll_all(context: Context = TaskiqDepends()) -> int:
    """The hourly poll (not Garmin): one job per account, so one slow account waits alone.

    It also finishes the disconnects whose job after the chat's commit was lost.
    """
    ctx = sync_context_of(jobs_of(context.state).container)
    await finish_disconnects.kiq()
    account_ids = await orchestrator.accounts_to_poll(ctx)
    for account_id in account_ids:
        await poll_account.kiq(account_id, 0)
    return len(account_ids)


@broker.task(task_name="trainlytics.sync.sweep", schedule=[{"cron": "*/5 * * * *"}], **RETRY)
async def sweep(context: Context = TaskiqDepends()) -> dict[str, int]:
    """Queue again what the database says should be running and is not.

    Webhook events stored but never processed (their enqueue or every retry was lost:
    the provider will not redeliver an acknowledged event), and backfills whose lease
    ran out or whose trigger never reached a worker (an OAuth callback while Redis was
    down). The database holds the intent; the queue is only the trigger.
    """
    ctx = sync_context_of(jobs_of(context.state).container)
    stranded = await orchestrator.stranded_events(ctx)
    if stranded:
        log.warning("queueing %d stranded webhook events again", len(stranded))
        await enqueue_events(stranded)
    stalled = await orchestrator.backfills_to_resume(ctx)
    for account_id in stalled:
        log.warning("backfill of account %s is not running: queued again", account_id)
        await backfill.kiq(account_id, 0)
    return {"events": len(stranded), "backfills": len(stalled)}


@broker.task(task_name="trainlytics.sync.finish_disconnects", **RETRY)
async def finish_disconnects(context: Context = TaskiqDepends()) -> int:
    """Revoke at the provider and forget the tokens of the accounts people disconnected.

    Queued by the chat right after a Disconnect commits, and by the hourly `poll_all`.
    Runs in batches until none is left, so a backlog does not wait an hour per batch.
    """
    ctx = sync_context_of(jobs_of(context.state).container)
    total = 0
    while finished := await finish_disconnects_now(ctx, limit=DISCONNECT_BATCH):
        total += finished
    return total


async def enqueue_events(event_ids: list[int]) -> None:
    for event_id in event_ids:
        await process_event.kiq(event_id, 0)


async def enqueue_backfill(account_id: int) -> bool:
    """Trigger the backfill the database already holds; False when the broker is down.

    The OAuth callback must not fail for it: the account and its pending backfill are
    committed, and the sweep queues it once the broker answers again.
    """
    try:
        await backfill.kiq(account_id, 0)
    except Exception:
        log.warning(
            "backfill of account %s not queued (broker unreachable); the sweep will",
            account_id,
            exc_info=True,
        )
        return False
    return True
