"""Engine, session factory and the unit of work."""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import Executable, event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Execution option of a small indexed read (one person's rows of a few days) that may run
# on the event loop's thread on SQLite: see `small_read`.
SMALL_READ = "trainlytics_small_read"
_E = TypeVar("_E", bound=Executable)


def small_read(statement: _E) -> _E:
    """Mark a SELECT as small and indexed: on SQLite it then runs on the caller's thread.

    aiosqlite hands each statement to its own thread and back, which on a busy machine
    costs far more than an indexed SELECT of a few rows (a few microseconds inside
    SQLite). In WAL mode a read never waits for a writer, so such a read cannot stall the
    event loop; anything that may scan many rows, and every write (which can wait for
    another process's write lock), keeps going through the thread. PostgreSQL ignores it.
    """
    return statement.execution_options(**{SMALL_READ: True})


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
        event.listen(engine.sync_engine, "before_cursor_execute", _route_small_reads)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


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
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _route_small_reads(
    _conn: Any,
    cursor: Any,
    _statement: str,
    _parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    if isinstance(cursor, _OneHopCursor):
        cursor._on_loop = bool(
            context is not None
            and not executemany
            and not (context.isinsert or context.isupdate or context.isdelete)
            and context.execution_options.get(SMALL_READ, False)
        )


# aiosqlite runs each sqlite3 call on the connection's own thread, and SQLAlchemy's adapter
# makes four such calls per statement (open a cursor, execute, fetch, close it) plus a
# ROLLBACK each time a connection goes back to the pool. Every call is a hand-off to that
# thread and back through the event loop; on a busy machine each costs far more than the
# statement itself. The classes below keep aiosqlite and SQLAlchemy's adapter and change
# only the hand-offs: a statement is one call that opens, executes, fetches and closes in
# the thread, and a COMMIT or ROLLBACK is skipped when SQLite says no transaction is open
# (sqlite3's own commit()/rollback() do nothing then; this only saves the trip).


def _run_statement(
    connection: aiosqlite.Connection, operation: Any, parameters: Any, many: bool
) -> tuple[Any, int, int | None, list[Any] | None]:
    """On aiosqlite's thread: (description, rowcount, lastrowid, rows or None)."""
    cursor = connection._conn.cursor()  # raises ValueError once closed, as aiosqlite does
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class _OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement is one call on aiosqlite's thread."""

    __slots__ = ("_description", "_lastrowid", "_on_loop", "_rowcount")

    def _make_new_cursor(self, connection: Any) -> Any:
        self._on_loop = False  # set per statement by `_route_small_reads`
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        return None  # the sqlite3 cursor lives only inside `_run_statement`

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        raise NotImplementedError("fetchmany() takes its size as an argument here")

    async def _async_soft_close(self) -> None:
        return None  # closed in the thread already; the description is kept

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            if self._on_loop:
                found = _run_statement(connection, operation, parameters, many)
            else:
                # aiosqlite's one entry point for running a function on its thread
                # (SQLAlchemy's own adapter uses its queue directly for the isolation level).
                found = await connection._execute(
                    _run_statement, connection, operation, parameters, many
                )
        self._description, self._rowcount, self._lastrowid, rows = found
        self._rows = collections.deque(rows) if rows is not None else collections.deque()


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = _OneHopCursor

    def _in_transaction(self) -> bool:
        # sqlite3_get_autocommit() read from this thread: a flag, no statement runs.
        raw = self._connection._connection
        return raw is not None and raw.in_transaction

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()


class OneHopAiosqlite(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI adapter with one thread hand-off per statement."""

    def connect(self, *arg: Any, **kw: Any) -> _OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return _OneHopConnection(self, adapted._connection)


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
