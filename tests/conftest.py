"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when configured.

`TRAINLYTICS_TEST_DATABASE_URL` (CI sets it) adds a PostgreSQL run of every database test,
in a schema made for this test run and dropped at its end, so runs never see each other's
rows. Within a run each test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import authlib.deprecate  # noqa: F401  (its "always" filter must come before ours)
import pytest
from sqlalchemy import text

import core.db.models  # noqa: F401
from core.clock import FixedClock
from core.db.engine import Database
from core.db.models import Base

warnings.filterwarnings("ignore", message="The httpx module is deprecated")

PG_URL = os.environ.get("TRAINLYTICS_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    import asyncio

    schema = f"t_{uuid.uuid4().hex[:12]}"

    async def setup() -> None:
        db = Database.from_url(PG_URL)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await db.dispose()
        db = _pg_database(schema)
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await db.dispose()

    async def teardown() -> None:
        db = Database.from_url(PG_URL)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await db.dispose()

    asyncio.run(setup())
    yield schema
    asyncio.run(teardown())


def _pg_database(schema: str) -> Database:
    assert PG_URL
    return Database.from_url(PG_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path, pg_schema) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        async with database.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
    else:
        database = _pg_database(pg_schema)
        async with database.engine.begin() as conn:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
