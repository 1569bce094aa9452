"""A PostgreSQL connection killed while it waits in the pool costs no request."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from core.db.engine import Database
from tests.conftest import PG_URL, _pg_database

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TRAINLYTICS_TEST_DATABASE_URL")


async def _backend_pid(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")))


async def _kill(pid: int) -> None:
    """Terminate a backend and wait until the server has let it go."""
    admin = Database.from_url(PG_URL or "")
    try:
        async with admin.unit_of_work() as session:
            assert await session.scalar(text(f"SELECT pg_terminate_backend({pid})"))
        for _ in range(200):
            async with admin.unit_of_work() as session:
                alive = await session.scalar(
                    text(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}")
                )
            if not alive:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"backend {pid} still alive")
    finally:
        await admin.dispose()


async def test_a_unit_of_work_after_the_server_dropped_its_pooled_connection_succeeds(
    pg_schema: str,
) -> None:
    db = _pg_database(pg_schema)
    try:
        first = await _backend_pid(db)
        assert await _backend_pid(db) == first  # the pool hands the same connection back

        await _kill(first)
        await asyncio.sleep(0.05)  # the event loop reads the server's goodbye

        second = await _backend_pid(db)
        assert second != first
        async with db.unit_of_work() as session:
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await db.dispose()
