"""Backfill of 300 Strava activities with streams from the fake Strava.

Figures: requests made against the minimum needed (list pages + detail + streams per
activity; target ≤ 1.1×), and the highest 15-minute / daily usage the fake saw against
Strava's advertised limits (target: never over). The fake's windows reset when the
backfill's clock moves to the next quarter hour, as Strava's do.
Run: .venv/bin/python bench/bench_backfill.py
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import verdict

import core.db.models  # noqa: F401
from core.db.engine import Database
from core.db.models import Activity, Base
from core.sync.orchestrator.backfill import backfill_step
from core.sync.providers.strava import PAGE_SIZE
from tests.fakes.providers.strava import FakeStrava, Limits, Usage
from tests.sync.sync_harness import (
    athlete,
    code_by_redirect,
    connect,
    make_context,
    now_clock,
    provider_settings,
)

ACTIVITIES = 300
SAMPLES = 900
TARGET_RATIO = 1.1


def streams(seed: int) -> dict[str, list]:
    return {
        "time": list(range(SAMPLES)),
        "distance": [i * 3.0 for i in range(SAMPLES)],
        "heartrate": [130 + (i + seed) % 20 for i in range(SAMPLES)],
        "velocity_smooth": [3.0] * SAMPLES,
        "moving": [True] * SAMPLES,
    }


async def main() -> int:
    clock = now_clock()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite+aiosqlite:///{tmp}/bench.db")
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        limits = Limits()
        async with (
            FakeStrava(clock=clock.now, limits=limits) as fake,
            httpx.AsyncClient(timeout=30) as http,
        ):
            ctx = make_context(db, clock, http, provider_settings(strava=fake))
            strava_id = fake.add_athlete()
            for i in range(ACTIVITIES):
                fake.add_activity(
                    strava_id,
                    start=clock.now() - timedelta(days=89, hours=-i * 7),
                    streams=streams(i),
                    name=f"Run {i}",
                )
            user_id = await athlete(db)
            account = await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http, url))
            peak_15, peak_day, windows = 0, 0, 1
            started = time.perf_counter()
            attempt = 0
            while True:
                result = await backfill_step(ctx, account.id, attempt=attempt)
                peak_15 = max(peak_15, fake.usage.read_15min, fake.usage.overall_15min)
                peak_day = max(peak_day, fake.usage.read_daily, fake.usage.overall_daily)
                if result.finished:
                    break
                assert result.retry_at is not None
                clock.set(result.retry_at)  # the next window: Strava resets its counters
                fake.usage = Usage(
                    overall_daily=fake.usage.overall_daily, read_daily=fake.usage.read_daily
                )
                windows += 1
                attempt += 1
            elapsed = time.perf_counter() - started
        async with db.unit_of_work() as session:
            from sqlalchemy import func, select

            stored = await session.scalar(select(func.count()).select_from(Activity))
        await db.dispose()
    api_calls = len([c for c in fake.calls if c.path.startswith("/api/v3/")])
    minimum = math.ceil((ACTIVITIES + 1) / PAGE_SIZE) + 2 * ACTIVITIES
    ratio = api_calls / minimum
    within = peak_15 <= min(limits.read_15min, limits.overall_15min) and peak_day <= min(
        limits.read_daily, limits.overall_daily
    )
    print(
        f"backfill of {ACTIVITIES} activities with streams: {stored} stored in "
        f"{elapsed:.1f} s over {windows} rate-limit window(s)"
    )
    print(
        f"requests: {api_calls} made, {minimum} needed at least -> {ratio:.3f}x "
        f"(target <= {TARGET_RATIO}x): {verdict(ratio <= TARGET_RATIO)}"
    )
    print(
        f"peak usage: {peak_15} per 15 min (limit {limits.read_15min} reads), "
        f"{peak_day} per day (limit {limits.read_daily} reads): "
        f"{verdict(within)} (never over)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
