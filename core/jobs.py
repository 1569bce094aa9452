"""The job queue as core and the doors see it: what they ask to run later, not how.

The database already holds every intent (a pending backfill, a stored webhook event, a
changed reminder time, a disconnect waiting for its revocation); a job only triggers the
work sooner. So every method may fail or be lost without losing anything: the periodic
sweeps find the work from the database. workers/queue.py implements it on taskiq;
`LeftToTheSweeps` is the queue of a process that has no broker of its own to kick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class JobQueue(Protocol):
    async def enqueue_backfill(self, account_id: int) -> bool:
        """Trigger a stored backfill; False when the queue is unreachable (the sweep will)."""
        ...

    async def enqueue_events(self, event_ids: Sequence[int]) -> None:
        """Process stored webhook events."""
        ...

    async def reconcile_schedules(self, user_id: int) -> None:
        """Bring one person's reminder schedules in line with their settings."""
        ...

    async def finish_disconnects(self) -> None:
        """Revoke at the provider and forget the tokens of every committed Disconnect."""
        ...


class LeftToTheSweeps:
    """A queue that kicks nothing: the process running the jobs picks the work up itself.

    The console chat beside an embedded `trainlytics run` is such a process: the jobs run
    in the other process's in-memory broker, which this one cannot reach, and its periodic
    passes (reconciliation every minute, the sync sweep) read the changes from the database.
    """

    async def enqueue_backfill(self, account_id: int) -> bool:
        return False

    async def enqueue_events(self, event_ids: Sequence[int]) -> None:
        return None

    async def reconcile_schedules(self, user_id: int) -> None:
        return None

    async def finish_disconnects(self) -> None:
        return None
