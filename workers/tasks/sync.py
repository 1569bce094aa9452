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

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from taskiq import AsyncBroker, Context, ScheduleSource, TaskiqDepends

from core.sync import orchestrator
from core.sync.connections.disconnects import finish_disconnects as finish_disconnects_now
from core.sync.orchestrator import StepResult
from workers.jobs import Task, jobs_of

log = logging.getLogger(__name__)

DISCONNECT_BATCH = 100
# Retries of a failing sync job: 5 s, 10 s, 20 s ... (workers.retry), about 20 minutes
# in all; the sweep takes over after that.
SYNC_RETRIES = 9
RETRY: dict[str, Any] = {"retry_on_error": True, "max_retries": SYNC_RETRIES}


@dataclass(frozen=True)
class SyncTasks:
    process_event: Task
    backfill: Task
    poll_account: Task
    poll_all: Task
    sweep: Task
    finish_disconnects: Task

    async def enqueue_events(self, event_ids: Sequence[int]) -> None:
        for event_id in event_ids:
            await self.process_event.kiq(event_id, 0)

    async def enqueue_backfill(self, account_id: int) -> bool:
        """Trigger the backfill the database already holds; False when the broker is down.

        The OAuth callback must not fail for it: the account and its pending backfill are
        committed, and the sweep queues it once the broker answers again.
        """
        try:
            await self.backfill.kiq(account_id, 0)
        except Exception:
            log.warning(
                "backfill of account %s not queued (broker unreachable); the sweep will",
                account_id,
                exc_info=True,
            )
            return False
        return True


def register(broker: AsyncBroker, source: ScheduleSource) -> SyncTasks:
    """The sync tasks on `broker`; deferred steps wait in `source` until their retry_at."""

    async def follow_up(task: Task, result: StepResult, target_id: int, attempt: int) -> None:
        if result.finished or result.retry_at is None:
            return
        if result.outcome == "more to do":
            await task.kiq(target_id, 0)
            return
        log.info(
            "%s %s deferred to %s (%s)", task.task_name, target_id, result.retry_at, result.outcome
        )
        await task.kicker().schedule_by_time(source, result.retry_at, target_id, attempt + 1)

    async def process_event(
        event_id: int, attempt: int = 0, context: Context = TaskiqDepends()
    ) -> str:
        jobs = jobs_of(context.state)
        if jobs.event_slots is None:
            result = await orchestrator.process_event(jobs.sync, event_id, attempt=attempt)
        else:
            async with jobs.event_slots:
                result = await orchestrator.process_event(jobs.sync, event_id, attempt=attempt)
        await follow_up(tasks.process_event, result, event_id, attempt)
        return result.outcome

    async def backfill(
        account_id: int, attempt: int = 0, context: Context = TaskiqDepends()
    ) -> str:
        ctx = jobs_of(context.state).sync
        result = await orchestrator.backfill_step(ctx, account_id, attempt=attempt)
        await follow_up(tasks.backfill, result, account_id, attempt)
        return result.outcome

    async def poll_account(
        account_id: int, attempt: int = 0, context: Context = TaskiqDepends()
    ) -> str:
        ctx = jobs_of(context.state).sync
        result = await orchestrator.poll_account(ctx, account_id, attempt=attempt)
        await follow_up(tasks.poll_account, result, account_id, attempt)
        return result.outcome

    async def poll_all(context: Context = TaskiqDepends()) -> int:
        """The hourly poll (not Garmin): one job per account, so one slow account waits alone.

        It also finishes the disconnects whose job after the chat's commit was lost.
        """
        ctx = jobs_of(context.state).sync
        await tasks.finish_disconnects.kiq()
        account_ids = await orchestrator.accounts_to_poll(ctx)
        for account_id in account_ids:
            await tasks.poll_account.kiq(account_id, 0)
        return len(account_ids)

    async def sweep(context: Context = TaskiqDepends()) -> dict[str, int]:
        """Queue again what the database says should be running and is not.

        Webhook events stored but never processed (their enqueue or every retry was lost:
        the provider will not redeliver an acknowledged event), and backfills whose lease
        ran out or whose trigger never reached a worker (an OAuth callback while Redis was
        down). The database holds the intent; the queue is only the trigger.
        """
        ctx = jobs_of(context.state).sync
        stranded = await orchestrator.stranded_events(ctx)
        if stranded:
            log.warning("queueing %d stranded webhook events again", len(stranded))
            await tasks.enqueue_events(stranded)
        stalled = await orchestrator.backfills_to_resume(ctx)
        for account_id in stalled:
            log.warning("backfill of account %s is not running: queued again", account_id)
            await tasks.backfill.kiq(account_id, 0)
        return {"events": len(stranded), "backfills": len(stalled)}

    async def finish_disconnects(context: Context = TaskiqDepends()) -> int:
        """Revoke at the provider and forget the tokens of the accounts people disconnected.

        Queued by the chat right after a Disconnect commits, and by the hourly `poll_all`.
        Runs in batches until none is left, so a backlog does not wait an hour per batch.
        """
        ctx = jobs_of(context.state).sync
        total = 0
        while finished := await finish_disconnects_now(ctx, limit=DISCONNECT_BATCH):
            total += finished
        return total

    tasks = SyncTasks(
        process_event=broker.task(task_name="trainlytics.sync.process_event", **RETRY)(
            process_event
        ),
        backfill=broker.task(task_name="trainlytics.sync.backfill", **RETRY)(backfill),
        poll_account=broker.task(task_name="trainlytics.sync.poll_account", **RETRY)(poll_account),
        poll_all=broker.task(
            task_name="trainlytics.sync.poll_all", schedule=[{"cron": "17 * * * *"}], **RETRY
        )(poll_all),
        sweep=broker.task(
            task_name="trainlytics.sync.sweep", schedule=[{"cron": "*/5 * * * *"}], **RETRY
        )(sweep),
        finish_disconnects=broker.task(task_name="trainlytics.sync.finish_disconnects", **RETRY)(
            finish_disconnects
        ),
    )
    return tasks
