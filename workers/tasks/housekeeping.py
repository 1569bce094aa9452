"""The heartbeat: a tiny task every minute.

taskiq-redis reclaims a dead worker's unacknowledged messages only after a read returns
new messages; without traffic an orphaned task would wait for the next real job. A
message every minute keeps that recovery going.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from taskiq import AsyncBroker

from workers.jobs import Task

log = logging.getLogger(__name__)


async def heartbeat() -> str:
    at = datetime.now(UTC).isoformat()
    log.debug("heartbeat %s", at)
    return at


def register(broker: AsyncBroker) -> Task:
    return broker.task(task_name="trainlytics.heartbeat", schedule=[{"cron": "* * * * *"}])(
        heartbeat
    )
