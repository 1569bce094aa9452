"""A small read against a locked SQLite database waits on aiosqlite's thread, never on the
event loop: the rest of the process (other chats, webhook answers) keeps running."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy import event, select

from core.db.engine import Database, small_read
from core.db.models import Base, User
from tests.factories import person

TICKS = 20


async def test_the_event_loop_keeps_ticking_while_a_small_read_waits_for_a_lock(tmp_path):
    path = tmp_path / "busy.db"
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")

    def without_wal(dbapi_connection, _record) -> None:
        # A filesystem where SQLite cannot use WAL (NFS, SMB) keeps the rollback journal:
        # there a writer's lock makes readers wait.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.close()

    event.listen(db.engine.sync_engine, "connect", without_wal)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with db.unit_of_work() as session:
        uid = (await person(session, "Ana")).id

    writer = sqlite3.connect(path, isolation_level=None)  # another process, say
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("UPDATE users SET name = 'Ben' WHERE id = ?", (uid,))
    ticks = 0
    ticked = asyncio.Event()

    async def tick() -> None:
        """Another coroutine of the process: it advances only while the loop is free."""
        nonlocal ticks
        while True:
            ticks += 1
            if ticks >= TICKS:
                ticked.set()
            await asyncio.sleep(0.002)

    async def read_name() -> str:
        async with db.unit_of_work() as session:
            return (
                await session.execute(small_read(select(User.name).where(User.id == uid)))
            ).scalar_one()

    ticker = asyncio.create_task(tick())
    read = asyncio.create_task(read_name())
    try:
        await ticked.wait()
        assert not read.done()  # it waits for the lock, and the loop ran meanwhile
        writer.execute("COMMIT")
        assert await read == "Ben"
    finally:
        ticker.cancel()
        writer.close()
        await db.dispose()
