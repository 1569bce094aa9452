from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from core.clock import FixedClock
from core.db.engine import Database
from core.settings import Settings
from trainlytics.container import Container, build_container
from trainlytics.web_app import build_web_app

from .seed import SECRET


def make_settings(tmp_path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "secret_key": SECRET,
        "encryption_keys": Fernet.generate_key().decode(),
        "public_url": None,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def container(db: Database, clock: FixedClock, tmp_path) -> Container:
    return build_container(make_settings(tmp_path), clock=clock, db=db)


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = build_web_app(container)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
