"""A role started on a database the release step has not migrated refuses with one
sentence naming `trainlytics migrate`; the embedded default migrates itself."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
import pytest

from core.db import migrate
from tests.roles.conftest import REDIS_URL, base_env
from tests.roles.procfile import ROOT, TRAINLYTICS, free_port, kill_group, output, role_command
from tests.roles.procfile import start as start_role


def run_role(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def refused(result: subprocess.CompletedProcess[str]) -> str:
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text and "no such table" not in text, text
    assert "run `trainlytics migrate` first" in result.stderr, text
    return result.stderr


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    env = base_env(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    if REDIS_URL:
        env["TRAINLYTICS_REDIS_URL"] = REDIS_URL
    return env


def test_web_role_refuses_a_database_never_migrated(fresh_env):
    assert "has never been migrated" in refused(run_role(role_command("web"), fresh_env))


def test_web_role_refuses_a_database_behind_the_code(fresh_env):
    migrate.upgrade(fresh_env["TRAINLYTICS_DATABASE_URL"], "0002_slack")
    assert "is behind" in refused(run_role(role_command("web"), fresh_env))


@pytest.mark.skipif(not REDIS_URL, reason="TRAINLYTICS_TEST_REDIS_URL is not set")
@pytest.mark.parametrize("role", ["worker", "scheduler"])
def test_job_roles_refuse_a_database_never_migrated(fresh_env, role):
    refused(run_role(role_command(role), fresh_env))


async def test_embedded_run_migrates_its_sqlite_database_itself(tmp_path):
    env = base_env(tmp_path / "var", "") | {"TRAINLYTICS_ENV": "development"}
    env.pop("TRAINLYTICS_DATABASE_URL")
    env |= {"TRAINLYTICS_PORT": str(free_port())}
    log = tmp_path / "run.log"
    proc = start_role([TRAINLYTICS, "run"], env, log)
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + 120
        async with httpx.AsyncClient() as client:
            while True:
                assert proc.poll() is None and loop.time() < end, output(log)[-4000:]
                try:
                    ready = await client.get(f"http://127.0.0.1:{env['TRAINLYTICS_PORT']}/ready")
                    if ready.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.3)
        url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'trainlytics.db'}"
        assert await migrate.applied_revisions(url) == migrate.head_revisions()
        assert "no such table" not in output(log)
    finally:
        kill_group(proc)
