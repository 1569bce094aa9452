"""A Slack exchange of several steps keeps its place in the database, so its next step may
reach another web process (or the same one after a restart); a settings change there
reschedules the coach's reminders at once, as on Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select

from core.db.models import Activity, User
from core.words import say
from tests.bot.slack.conftest import (
    COACH,
    TEAM,
    SlackClient,
    _slack_tables,
    block_texts,
    make_container,
)
from trainlytics.web_app import build_web_app


@asynccontextmanager
async def _web_process(slack, db, clock, tmp_path) -> AsyncIterator[SlackClient]:
    """One web process: its own container, Slack app and conversation, the shared database."""
    container = make_container(slack, db, clock, tmp_path)
    transport = httpx.ASGITransport(app=build_web_app(container))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://s.test") as http:
            yield SlackClient(http)
    finally:
        await container.aclose()


def _confirm_button(blocks: list[dict]) -> dict:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("value") == "lg:ok":
                return element
    raise AssertionError(f"no Confirm button in {block_texts(blocks)}")


def _press(element: dict) -> dict:
    """The coach presses a button of the command's answer (answered by DM: no response_url)."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "coaches"},
        "user": {"id": COACH, "team_id": TEAM, "name": "Kim Coach"},
        "api_app_id": "A0TRAINLY",
        "actions": [{**element, "block_id": "b", "action_ts": "1.2"}],
    }


async def test_a_quick_log_asked_on_one_process_is_confirmed_on_another(
    slack, db, clock, tmp_path
) -> None:
    await _slack_tables(db)
    async with _web_process(slack, db, clock, tmp_path) as first:
        asked = await first.command("log ran 10k in 50 min yesterday")
        assert asked.status_code == 200, asked.text
        button = _confirm_button(asked.json()["blocks"])
    # The first process is gone; another one gets the press.
    async with _web_process(slack, db, clock, tmp_path) as second:
        pressed = await second.interact(_press(button))
        assert pressed.status_code == 200
        answer = await slack.wait_for(lambda c: c.method == "chat.postMessage")
    assert say("en", "log_expired") not in str(answer.params)
    async with db.unit_of_work() as session:
        logged = list(await session.scalars(select(Activity)))
    assert len(logged) == 1 and logged[0].distance_m == 10000


@pytest.fixture
def kicked(monkeypatch, container) -> list[tuple[object, ...]]:
    """The reconcile jobs the container's queue kicks."""
    calls: list[tuple[object, ...]] = []

    async def kiq(*args: object) -> None:
        calls.append(args)

    monkeypatch.setattr(container.tasks.schedules.reconcile_schedules, "kiq", kiq)
    return calls


async def test_a_timezone_changed_in_slack_reconciles_that_coachs_reminders(
    client, db, kicked
) -> None:
    listed = await client.command("settings")
    assert listed.status_code == 200
    assert kicked == []  # showing the settings changes nothing
    changed = await client.command("settings tz Asia/Tokyo")
    assert changed.status_code == 200
    async with db.unit_of_work() as session:
        coach = await session.scalar(select(User).where(User.timezone == "Asia/Tokyo"))
    assert coach is not None and kicked == [(coach.id,)]
