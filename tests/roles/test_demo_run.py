"""`make run` on a fresh data dir, with a port and data dir of the person's choosing: the
demo leaves no old news to deliver, and the chat command the banner prints works as
printed (it finds the same people, and its links name the same port)."""

from __future__ import annotations

import asyncio
import re
import subprocess

from sqlalchemy import func, select

from core.db.engine import Database
from core.db.models import Notification
from core.enums import NotificationStatus
from tests.roles.conftest import base_env
from tests.roles.procfile import ROOT, TRAINLYTICS, free_port, kill_group, output, start


async def test_demo_run_prints_a_chat_command_that_works_and_sends_no_stale_news(tmp_path):
    data_dir = tmp_path / "my data"
    env = base_env(data_dir, "") | {
        "TRAINLYTICS_ENV": "development",
        "TRAINLYTICS_PORT": str(free_port()),
    }
    for name in (
        "TRAINLYTICS_DATABASE_URL",
        "TRAINLYTICS_SECRET_KEY",
        "TRAINLYTICS_ENCRYPTION_KEYS",
    ):
        env.pop(name)
    for step in (["migrate"], ["demo", "--if-empty"]):  # what `make run` does first
        await asyncio.to_thread(
            subprocess.run, [TRAINLYTICS, *step], cwd=ROOT, env=env, check=True, timeout=300
        )

    db = Database.from_url(f"sqlite+aiosqlite:///{data_dir / 'trainlytics.db'}")
    async with db.unit_of_work() as s:
        pending = await s.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.status == NotificationStatus.PENDING)
        )
    await db.dispose()
    assert pending == 0

    log = tmp_path / "run.log"
    proc = start([TRAINLYTICS, "run"], env, log)
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + 120
        while not (hint := re.search(r"Try it in another terminal: (.+)", output(log))):
            assert proc.poll() is None and loop.time() < end, output(log)[-4000:]
            await asyncio.sleep(0.2)
        command = hint.group(1).strip()
        assert f"TRAINLYTICS_PORT={env['TRAINLYTICS_PORT']}" in command
        # As printed, from the checkout, in a shell that knows nothing of this run.
        clean = {k: v for k, v in env.items() if not k.startswith("TRAINLYTICS_")}
        chat = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", command],
            cwd=ROOT,
            env=clean,
            input="/calendar\n/quit\n",
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        assert f"127.0.0.1:{env['TRAINLYTICS_PORT']}/calendar/" in chat.stdout, chat.stdout
    finally:
        kill_group(proc)
