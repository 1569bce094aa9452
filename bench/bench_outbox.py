"""Outbox delivery rate against a fake sender, limiter set to 1,000 messages/s.

Baseline (same run): the limiter alone handing out the same number of tokens. Target:
delivery (claim, choose chat, send, record, on SQLite) reaches >= 90 % of that rate, i.e.
the limiter, not our code, is the bottleneck.

    .venv/bin/python bench/bench_outbox.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import notifications
from core.clock import FixedClock
from core.db.engine import Database
from core.db.models import Base, ChatIdentity, User
from core.delivery import Bucket, PlatformLimit, SentReceipt, deliver_all_due
from workers.ratelimit import MemoryTokenBuckets

RATE = 1000.0
MESSAGES = 3000
TARGET = 0.90


class FakeSender:
    platform = "telegram"

    def __init__(self) -> None:
        self.count = 0

    async def send(self, recipient, view) -> SentReceipt:
        self.count += 1
        return SentReceipt(str(self.count))


async def limiter_alone() -> float:
    limiter = MemoryTokenBuckets()
    bucket = [Bucket("rl:telegram", RATE, RATE / 10)]
    await asyncio.sleep(0.2)  # let the burst refill as in the real run
    start = time.perf_counter()
    for _ in range(MESSAGES):
        while (wait := await limiter.try_acquire(bucket)) > 0:  # noqa: ASYNC110 (a token, not an event)
            await asyncio.sleep(wait)
    return MESSAGES / (time.perf_counter() - start)


async def delivery(tmp: Path) -> float:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp / 'bench.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    clock = FixedClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    async with db.unit_of_work() as s:
        users = [User(name=f"u{i}", timezone="Europe/Paris") for i in range(MESSAGES)]
        s.add_all(users)
        await s.flush()
        s.add_all(
            ChatIdentity(
                user_id=u.id, platform="telegram", platform_user_id=str(u.id), chat_id=str(u.id)
            )
            for u in users
        )
        for u in users:
            await notifications.notify(
                s,
                clock,
                recipient_id=u.id,
                kind="coach_comment",
                payload={"body": "hi"},
                key=f"k{u.id}",
            )
    sender = FakeSender()
    # Per-chat limits off: every message goes to a different chat anyway. Burst 1/10 s.
    limits = {"telegram": PlatformLimit(overall_per_s=RATE)}

    class Burst(MemoryTokenBuckets):
        async def try_acquire(self, buckets):
            return await super().try_acquire([Bucket(b.key, b.rate, RATE / 10) for b in buckets])

    limiter = Burst()
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    report = await deliver_all_due(
        db, clock, {"telegram": sender}, limiter, batch=200, limits=limits, images={}
    )
    elapsed = time.perf_counter() - start
    await db.dispose()
    assert report.sent == MESSAGES == sender.count, report
    return MESSAGES / elapsed


async def main() -> None:
    baseline = await limiter_alone()
    with tempfile.TemporaryDirectory() as tmp:
        achieved = await delivery(Path(tmp))
    print(f"limiter alone:       {baseline:8.0f} msg/s (limit {RATE:.0f}/s)")
    print(f"outbox delivery:     {achieved:8.0f} msg/s ({MESSAGES} messages, SQLite)")
    print(f"ratio delivery/limit {achieved / baseline:8.2f} (target >= {TARGET:.2f})")


if __name__ == "__main__":
    asyncio.run(main())
