"""A task for the worker-kill test, registered on the real broker (workers.broker).

It records each start, sleeps on its first run only (long enough to be killed), then
records its effect under an idempotency key: the effect must exist exactly once even
though the task itself runs twice.
"""

from __future__ import annotations

import asyncio
import sqlite3

from workers.broker import broker


def _db(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("CREATE TABLE IF NOT EXISTS starts (n INTEGER)")
    conn.execute("CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY)")
    return conn


@broker.task(task_name="tests.record_effect")
async def record_effect(path: str, key: str, first_run_sleep_s: float) -> None:
    with _db(path) as conn:
        conn.execute("INSERT INTO starts VALUES (1)")
        runs = conn.execute("SELECT COUNT(*) FROM starts").fetchone()[0]
    if runs == 1:
        await asyncio.sleep(first_run_sleep_s)
    with _db(path) as conn:
        conn.execute("INSERT OR IGNORE INTO effects VALUES (?)", (key,))


def counts(path: str) -> tuple[int, int]:
    with _db(path) as conn:
        starts = conn.execute("SELECT COUNT(*) FROM starts").fetchone()[0]
        effects = conn.execute("SELECT COUNT(*) FROM effects").fetchone()[0]
    return starts, effects
