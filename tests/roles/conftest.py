"""The roles' environment: production settings, PostgreSQL and Redis when configured.

With TRAINLYTICS_TEST_DATABASE_URL a database of its own is created for this module's
roles (and dropped after); otherwise a SQLite file. Either way the release step
(`trainlytics migrate`) has run before a role starts, as on a platform.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from tests.roles.procfile import ROOT, TRAINLYTICS, free_port

PG_URL = os.environ.get("TRAINLYTICS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TRAINLYTICS_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="TRAINLYTICS_TEST_REDIS_URL is not set: the job roles need Redis"
)


def _admin(sql: str) -> None:
    import asyncpg

    assert PG_URL
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)

    async def run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def base_env(data_dir: Path, database_url: str) -> dict[str, str]:
    """Production settings with their secrets, nothing inherited from the caller's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINLYTICS_")}
    env.pop("PORT", None)
    env.update(
        TRAINLYTICS_ENV="production",
        TRAINLYTICS_SECRET_KEY=uuid.uuid4().hex * 2,
        TRAINLYTICS_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        TRAINLYTICS_DATA_DIR=str(data_dir),
        TRAINLYTICS_DATABASE_URL=database_url,
        TRAINLYTICS_HOST="127.0.0.1",
        TRAINLYTICS_LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this module's roles."""
    folder = tmp_path_factory.mktemp("roles-db")
    if PG_URL:
        name = f"trainlytics_roles_{uuid.uuid4().hex[:10]}"
        _admin(f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        name, url = "", f"sqlite+aiosqlite:///{folder / 'app.db'}"
    env = base_env(folder / "var", url)
    subprocess.run([TRAINLYTICS, "migrate"], cwd=ROOT, env=env, check=True, timeout=180)
    yield url
    if name:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """One role's environment: its own port (as `PORT`, like a PaaS) and job queue."""
    env = base_env(tmp_path / "var", database_url)
    env["PORT"] = str(free_port())
    if REDIS_URL:
        env["TRAINLYTICS_REDIS_URL"] = REDIS_URL
        env["TRAINLYTICS_JOBS_QUEUE_NAME"] = f"trainlytics-roles-{uuid.uuid4().hex[:10]}"
    return env


@pytest.fixture
def redis_cleanup(env: dict[str, str]) -> Iterator[None]:
    yield
    if not REDIS_URL:
        return
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    keys = list(redis.scan_iter(f"{env['TRAINLYTICS_JOBS_QUEUE_NAME']}*"))
    if keys:
        redis.delete(*keys)
    redis.close()
