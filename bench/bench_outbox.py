"""Outbox delivery rate against a fake sender, limiter set to 1,000 messages/s.

Baseline (same run): the limiter alone handing out the same number of tokens. Target:
delivery (claim, choose chat, send, record) reaches >= 90 % of that rate, i.e. the
limiter, not our code, is the bottleneck. Runs on SQLite, and also on PostgreSQL (in a
schema made for the run and dropped after) when TRAINLYTICS_TEST_DATABASE_URL is set.

    .venv/bin/python bench/bench_outbox.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from core.clock import FixedClock
from core.db.engine import Database
from core.db.models import Base, ChatIdentity, Notification, User
from core.enums import NotificationKind
from core.outbox.delivery import deliver_all_due
from core.outbox.limits import Bucket, PlatformLimit
from core.outbox.payloads import CoachCommentPayload
from core.outbox.sending import SentReceipt
from workers.ratelimit import MemoryTokenBuckets

RATE = 1000.0
BURST = RATE / 10  # 100 ms worth of tokens
# Ten seconds at the limit: long enough that the start-up (first claim) is a small part.
MESSAGES = 10_000
TARGET = 0.90


class FakeSender:
    platform = "telegram"

    def __init__(self) -> None:
        self.count = 0

    async def send(self, recipient, view) -> SentReceipt:
        self.count += 1
        return SentReceipt(str(self.count))


class Burst(MemoryTokenBuckets):
    """The in-memory buckets with the bench's burst instead of one second's worth."""

    async def try_acquire(self, buckets):
        return await super().try_acquire([Bucket(b.key, b.rate, BURST) for b in buckets])


async def limiter_alone() -> float:
    limiter = Burst()
    bucket = [Bucket("rl:telegram", RATE, BURST)]
    start = time.perf_counter()
    for _ in range(MESSAGES):
        while (wait := await limiter.try_acquire(bucket)) > 0:  # noqa: ASYNC110 (a token, not an event)
            await asyncio.sleep(wait)
    return MESSAGES / (time.perf_counter() - start)


async def fill(db: Database, clock: FixedClock) -> None:
    """MESSAGES people with one Telegram chat and one due notification each (bulk insert:
    the bench measures delivery, not notify())."""
    async with db.unit_of_work() as s:
        await s.execute(
            insert(User), [{"name": f"u{i}", "timezone": "Europe/Paris"} for i in range(MESSAGES)]
        )
        ids = list(await s.scalars(select(User.id).order_by(User.id)))
        await s.execute(
            insert(ChatIdentity),
            [
                {
                    "user_id": u,
                    "platform": "telegram",
                    "platform_user_id": str(u),
                    "chat_id": str(u),
                }
                for u in ids
            ],
        )
        await s.execute(
            insert(Notification),
            [
                {
                    "recipient_id": u,
                    "kind": NotificationKind.COACH_COMMENT,
                    "payload": CoachCommentPayload(body="hi").to_row(),
                    "idempotency_key": f"k{u}",
                    "status": "pending",
                    "next_attempt_at": clock.now(),
                }
                for u in ids
            ],
        )


async def delivery(db: Database) -> float:
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    clock = FixedClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    await fill(db, clock)
    sender = FakeSender()
    # Per-chat limits off: every message goes to a different chat anyway.
    limits = {"telegram": PlatformLimit(overall_per_s=RATE)}
    start = time.perf_counter()
    report = await deliver_all_due(
        db, clock, {"telegram": sender}, Burst(), limits=limits, images={}, max_batches=1000
    )
    elapsed = time.perf_counter() - start
    assert report.sent == MESSAGES == sender.count, report
    return MESSAGES / elapsed


async def on_sqlite() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            return await delivery(db)
        finally:
            await db.dispose()


async def on_postgresql(url: str) -> float:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = Database.from_url(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database.from_url(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        return await delivery(db)
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def main() -> None:
    baseline = await limiter_alone()
    print(f"limiter alone:        {baseline:8.0f} msg/s (limit {RATE:.0f}/s, burst {BURST:.0f})")
    runs = [("SQLite", on_sqlite())]
    if url := os.environ.get("TRAINLYTICS_TEST_DATABASE_URL"):
        runs.append(("PostgreSQL", on_postgresql(url)))
    for name, run in runs:
        achieved = await run
        print(f"delivery, {name + ':':12s}{achieved:8.0f} msg/s ({MESSAGES} messages)")
        print(f"  ratio delivery/limit {achieved / baseline:6.2f} (target >= {TARGET:.2f})")


if __name__ == "__main__":
    asyncio.run(main())
