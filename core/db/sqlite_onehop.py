"""SQLite through aiosqlite with one thread hand-off per statement.

Why this exists (it is not a library feature): see the comment above `_run_statement`.
It keeps aiosqlite and SQLAlchemy's own aiosqlite adapter and overrides only how a
statement crosses to aiosqlite's thread, so it depends on that adapter's structure:
the SQLAlchemy and aiosqlite versions are bounded in pyproject.toml for that reason, and
the whole test suite runs through it.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import Executable
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

# Execution option of a small indexed read (one person's rows of a few days) that may run
# on the event loop's thread on SQLite: see `small_read`.
SMALL_READ = "trainlytics_small_read"
_E = TypeVar("_E", bound=Executable)


def small_read(statement: _E) -> _E:
    """Mark a SELECT as small and indexed: on SQLite it then runs on the caller's thread.

    aiosqlite hands each statement to its own thread and back, which on a busy machine
    costs far more than an indexed SELECT of a few rows (a few microseconds inside
    SQLite). In WAL mode a read does not wait for a writer; when it must wait all the
    same (no WAL on this filesystem, a recovery), it waits ON_LOOP_BUSY_MS at most on the
    loop and then runs on the thread, so it cannot stall the event loop. Anything that
    may scan many rows, and every write (which can wait for another process's write
    lock), keeps going through the thread. PostgreSQL ignores it.
    """
    return statement.execution_options(**{SMALL_READ: True})


def route_small_reads(
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


# How long a statement waits for another connection's lock. On aiosqlite's thread that
# wait blocks nothing else; a small read on the event loop's thread would block the whole
# process for as long, so there it waits ON_LOOP_BUSY_MS at most and then goes to the
# thread. In WAL mode readers do not wait for writers, but a database that is not in WAL
# (a network filesystem refuses it) or is being recovered makes readers wait too.
BUSY_TIMEOUT_MS = 30_000
ON_LOOP_BUSY_MS = 5


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


def _run_statement(
    connection: aiosqlite.Connection,
    operation: Any,
    parameters: Any,
    many: bool,
    busy_ms: int | None = None,
) -> tuple[Any, int, int | None, list[Any] | None]:
    """(description, rowcount, lastrowid, rows or None); `busy_ms` sets the wait first."""
    if busy_ms is not None:
        connection._conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
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

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_on_loop", "_rowcount")

    _adapt_connection: _OneHopConnection  # OneHopAiosqlite.connect makes only those

    def _make_new_cursor(self, connection: Any) -> Any:
        self._on_loop = False  # set per statement by `route_small_reads`
        self._arraysize = 1
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
        # sqlite3's lastrowid may be None (no INSERT yet); SQLAlchemy's base declares int.
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        # Rows are fetched whole inside the one hand-off; fetchmany() without a size
        # returns this many, as DBAPI says.
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # closed in the thread already; the description is kept

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        # SQLAlchemy types it as its generic asyncio DBAPI connection; here it is aiosqlite's.
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapted = self._adapt_connection
        async with adapted._execute_mutex:
            found = None
            if self._on_loop:
                # The connection keeps the short wait while reads stay on the loop; the
                # next statement on the thread restores the long one in the same hop.
                short = None if getattr(adapted, "_short_busy", False) else ON_LOOP_BUSY_MS
                adapted._short_busy = True
                try:
                    found = _run_statement(connection, operation, parameters, many, short)
                except sqlite3.OperationalError as error:
                    if not _is_busy(error):
                        raise
                    # Locked: wait on the thread instead, where waiting blocks no one.
            if found is None:
                restore = BUSY_TIMEOUT_MS if getattr(adapted, "_short_busy", False) else None
                adapted._short_busy = False
                # aiosqlite's one entry point for running a function on its thread
                # (SQLAlchemy's own adapter uses its queue directly for the isolation level);
                # aiosqlite leaves this method unannotated, hence the ignore.
                found = await connection._execute(  # type: ignore[no-untyped-call]
                    _run_statement, connection, operation, parameters, many, restore
                )
        self._description, self._rowcount, self._lastrowid, rows = found
        self._rows = collections.deque(rows) if rows is not None else collections.deque()


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_short_busy",)  # the busy timeout is ON_LOOP_BUSY_MS right now
    _short_busy: bool

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
