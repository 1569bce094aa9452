"""Engine, session factory and the unit of work."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.db.sqlite_onehop import (
    BUSY_TIMEOUT_MS,
    SMALL_READ,
    OneHopAiosqlite,
    route_small_reads,
    small_read,
)

__all__ = ["SMALL_READ", "Database", "create_engine", "pool_options", "small_read"]

# How long a unit of work waits for a pooled connection before failing (and retrying).
POOL_TIMEOUT_S = 30.0


def pool_options(url: str, concurrency: int, override: int | None = None) -> dict[str, Any]:
    """Pool sizes for a process that runs `concurrency` units of work at once.

    Every task of a worker (and every request of a web process) holds at most one
    connection at a time, so the pool keeps `concurrency` connections, plus an overflow
    of a fifth (at least 5) for the moments that hold two (the outbox drain claims the
    next batch while it records the last). A pool smaller than the concurrency makes
    tasks wait on each other and fail with `QueuePool limit` after POOL_TIMEOUT_S. The
    PostgreSQL server must allow the sum over all processes: docs/deploy.md.
    SQLite (one writer, one file) keeps SQLAlchemy's defaults.
    """
    if make_url(url).get_backend_name() == "sqlite":
        return {}
    size = override or concurrency
    return {"pool_size": size, "max_overflow": max(5, size // 5), "pool_timeout": POOL_TIMEOUT_S}


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A small read runs on the event loop's thread, not the one that opened the
        # connection; statements on one connection never overlap (the adapter's mutex).
        kwargs["connect_args"] = {"timeout": 30, **kwargs.get("connect_args", {})}
        kwargs["connect_args"]["check_same_thread"] = False
        kwargs.setdefault("module", OneHopAiosqlite(aiosqlite, sqlite3))
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "before_cursor_execute", route_small_reads)
        return engine
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _discard_if_closed)
    return engine


def _discard_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no pooled connection the server has closed (a restart, an idle timeout,
    `pg_terminate_backend`): the pool then opens a fresh one.

    This replaces `pool_pre_ping`, which on asyncpg costs three round trips (BEGIN, an
    empty query, ROLLBACK) at every checkout, a sixth of a chat update's time. asyncpg
    notices a server's close as soon as the event loop reads it, so checking costs
    nothing. What it cannot see is a connection that dies in the instant before it is
    used, or a silent network partition (where a ping would hang as well): that unit of
    work fails, SQLAlchemy recognises the disconnect and invalidates the pool, and the
    next one reconnects. tests/core/test_engine.py kills a backend to show it.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web and worker read while a
    # job writes, which the embedded single-process mode relies on. In WAL mode
    # synchronous=NORMAL cannot corrupt the database (SQLite's documented recommendation);
    # it only risks the last commits on power loss, and halves the cost of each commit,
    # which is what bounds webhook acknowledgement on the embedded database.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class Database:
    """Owns the engine; hands out one unit of work (a session in one transaction) per operation."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """Commit when the block succeeds, roll back (store nothing) when it raises."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
