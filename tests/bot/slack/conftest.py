"""The FastAPI app with the Slack app on a local fake Slack Web API, and signed requests."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.fernet import Fernet
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete

from bot.slack.tables import slack_metadata
from core.clock import FixedClock
from core.db.engine import Database
from core.settings import Settings
from tests.fakes.slack_web_api import FakeSlackWebAPI
from trainlytics.container import Container, build_container
from trainlytics.web_app import build_web_app

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0TRAINLY"
COACH = "U0COACH01"
# Slack gives every command and interaction a trigger id of its own, so two genuine
# requests never share a signature (the replay check relies on it).
_TRIGGERS = itertools.count(1)


def _trigger() -> str:
    return f"1337.{next(_TRIGGERS)}.trigger"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackWebAPI]:
    async with FakeSlackWebAPI() as fake:
        fake.add_user(COACH, name="coach.kim", real_name="Kim Coach")
        yield fake


async def _slack_tables(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(slack_metadata.create_all)
        for table in slack_metadata.sorted_tables:
            await conn.execute(delete(table))


def make_container(
    slack: FakeSlackWebAPI, db: Database, clock: FixedClock, tmp_path: Any, **overrides: Any
) -> Container:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "secret_key": "s" * 32,
        "encryption_keys": Fernet.generate_key().decode(),
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": BOT_TOKEN,
        "slack_api_base": slack.base_url,
        "telegram_bot_username": "TrainlyticsBot",
    }
    values.update(overrides)
    settings = Settings(_env_file=None, **values)
    return build_container(settings, db=db, clock=clock)


@dataclass
class SlackClient:
    """Sends what Slack sends: signed form posts, payload= interactivity, JSON events."""

    http: httpx.AsyncClient
    secret: str = SIGNING_SECRET

    def headers(self, body: str, *, age_s: int = 0, signature: str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) - age_s)
        signed = SignatureVerifier(self.secret).generate_signature(timestamp=ts, body=body)
        assert signed is not None, "slack_sdk signs any timestamp and body"
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or signed,
        }

    async def command(self, text: str, *, user: str = COACH, **extra: str) -> httpx.Response:
        return await self.post(*self.command_request(text, user=user, **extra))

    def command_request(
        self, text: str, *, user: str = COACH, **extra: str
    ) -> tuple[str, dict[str, str]]:
        """The form body and signed headers of one slash command, to send (or resend)."""
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "coaches",
            "channel_id": extra.pop("channel_id", "D0COACHDM"),
            "channel_name": extra.pop("channel_name", "directmessage"),
            "user_id": user,
            "user_name": extra.pop("user_name", "Kim Coach"),
            "command": "/trainlytics",
            "text": text,
            "api_app_id": "A0TRAINLY",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": _trigger(),
            **extra,
        }
        body = urlencode(form)
        headers = self.headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
        return body, headers

    async def post(self, body: str, headers: dict[str, str]) -> httpx.Response:
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        payload = {**payload, "trigger_id": _trigger()}
        body = urlencode({"payload": json.dumps(payload)})
        headers = self.headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def event(
        self, event: dict[str, Any], *, event_id: str = "Ev0001", retry: int | None = None
    ) -> httpx.Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A0TRAINLY",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": "U0BOTUSER", "is_bot": True}],
                "event": event,
            }
        )
        headers = self.headers(body) | {"Content-Type": "application/json"}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.http.post("/slack/events", content=body, headers=headers)


@pytest.fixture
async def container(slack, db, clock, tmp_path) -> AsyncIterator[Container]:
    await _slack_tables(db)
    built = make_container(slack, db, clock, tmp_path)
    yield built
    await built.aclose()


@pytest.fixture
async def client(container) -> AsyncIterator[SlackClient]:
    transport = httpx.ASGITransport(app=build_web_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield SlackClient(http)


def block_texts(blocks: list[dict[str, Any]]) -> str:
    """Every visible string of some blocks, for assertions on what the coach reads."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)
