"""A task for the worker-kill test, on the broker `trainlytics worker` runs (trainlytics.entry).

It records each start, sleeps on its first run only (long enough to be killed), then
records its effect under an idempotency key: the effect must exist exactly once even
though the task itself runs twice.
"""

from __future__ import annotations

import asyncio

from tests.workers.kill_effects import connect
from trainlytics.entry import broker


@broker.task(task_name="tests.record_effect")
async def record_effect(path: str, key: str, first_run_sleep_s: float) -> None:
    with connect(path) as conn:
        conn.execute("INSERT INTO starts VALUES (1)")
        runs = conn.execute("SELECT COUNT(*) FROM starts").fetchone()[0]
    if runs == 1:
        await asyncio.sleep(first_run_sleep_s)
    with connect(path) as conn:
        conn.execute("INSERT OR IGNORE INTO effects VALUES (?)", (key,))
