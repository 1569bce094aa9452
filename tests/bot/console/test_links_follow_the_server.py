"""`trainlytics chat`, a process of its own, prints links to where the server really listens.

The web role runs here on a free port the system picks (never the default 8000); the chat
is started as `trainlytics chat --as Ana` with no TRAINLYTICS_PORT in its environment,
sharing only the data dir, as with `TRAINLYTICS_PORT=18080 make run` and a second terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from core import web_address
from core.db.migrate import upgrade
from core.settings import Settings
from trainlytics.container import build_container
from trainlytics.runtime import serve_web

TRAINLYTICS = str(Path(sys.executable).with_name("trainlytics"))
DEADLINE_S = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _chat(data_dir: Path, lines: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINLYTICS_")}
    env["TRAINLYTICS_DATA_DIR"] = str(data_dir)
    proc = await asyncio.create_subprocess_exec(
        TRAINLYTICS, "chat", "--as", "Ana",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(lines.encode()), DEADLINE_S)
    return out.decode()


async def _listening(data_dir: Path, server: asyncio.Task[None]) -> str:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while (url := web_address.recorded(data_dir)) is None:
        assert not server.done() and loop.time() < end, "the web role never listened"
        await asyncio.sleep(0.1)
    return url


async def test_chat_in_another_process_prints_the_port_the_server_listens_on(tmp_path) -> None:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        port=_free_port(),  # never the default 8000: the chat must print this one
    )
    await asyncio.to_thread(upgrade, settings.effective_database_url)
    container = build_container(settings)  # development keys, into the shared data dir
    server = asyncio.create_task(serve_web(container))
    try:
        url = await _listening(tmp_path, server)
        port = int(url.rsplit(":", 1)[1])
        assert port != 8000
        said = await _chat(tmp_path, "/calendar\n")
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
        await container.aclose()
    link = re.search(r"http://127\.0\.0\.1:(\d+)/calendar/\S+", said)
    assert link is not None, said
    assert int(link.group(1)) == port


def test_a_record_left_by_a_dead_server_gives_way_to_the_settings(tmp_path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead_pid = int(gone.stdout)
    (tmp_path / web_address.FILE_NAME).write_text(
        f'{{"url": "http://127.0.0.1:18080", "pid": {dead_pid}}}'
    )
    settings = Settings(_env_file=None, data_dir=tmp_path, port=9100)
    assert settings.local_url == "http://127.0.0.1:9100"
    web_address.record(tmp_path, "http://127.0.0.1:18080")  # this (living) process
    assert settings.local_url == "http://127.0.0.1:18080"
