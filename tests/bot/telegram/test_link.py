"""/link, both directions, through both doors (issue 13.4).

Kim coaches in Slack (signed requests to /slack/events, the fake Slack Web API) and
trains on Telegram (long polling the fake Bot API). A code made on one side and typed on
the other makes one person of the two; a code works once, expires, and a run of wrong
codes locks further tries for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.conversation import Conversation
from bot.telegram.runner import run_bot
from core.activities import entries as activities
from core.db.models import ChatIdentity, User
from core.enums import Role
from tests.bot.conversation.test_conversations import Chat
from tests.bot.slack.conftest import (
    BOT_TOKEN,
    COACH,
    SIGNING_SECRET,
    SlackClient,
    _slack_tables,
    block_texts,
)
from tests.bot.telegram.conftest import make_container
from tests.bot.telegram.test_conversations_more import CHAT, bot_says
from tests.fakes.slack_web_api import FakeSlackWebAPI
from trainlytics.container import Container
from trainlytics.web_app import build_web_app

CODE = re.compile(r"\b([A-Z2-9]{10})\b")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackWebAPI]:
    async with FakeSlackWebAPI() as fake:
        fake.add_user(COACH, name="coach.kim", real_name="Kim Coach")
        yield fake


@pytest.fixture
async def both(tg, slack, db, clock, tmp_path) -> AsyncIterator[Container]:
    """One server with the Telegram bot polling and the Slack app on the web app."""
    await _slack_tables(db)
    container = make_container(
        tg,
        db,
        clock,
        tmp_path,
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_base=slack.base_url,
    )
    assert container.telegram is not None, "Telegram is set up in this container"
    task = asyncio.create_task(run_bot(container.telegram, container.settings))
    yield container
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await container.aclose()


@pytest.fixture
async def slack_client(both) -> AsyncIterator[SlackClient]:
    transport = httpx.ASGITransport(app=build_web_app(both))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield SlackClient(http)


async def refusals(tg, count: int) -> None:
    """Wait until the bot has refused `count` codes as unknown."""
    await tg.wait_for(
        lambda _call: (
            sum("unknown, used" in m.get("text", "") for m in tg.chat_messages(CHAT)) >= count
        )
    )


def code_in(text: str) -> str:
    """The link code a reply shows."""
    found = CODE.search(text)
    assert found is not None, f"no link code in {text!r}"
    return found.group(1)


def said(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    return body.get("text", "") + "\n" + block_texts(body.get("blocks", []))


async def people_of(db) -> dict[str, int]:
    """platform -> person id, for Kim's two identities."""
    async with db.unit_of_work() as session:
        rows = await session.scalars(select(ChatIdentity))
        return {row.platform: row.user_id for row in rows}


async def test_a_code_made_in_slack_is_redeemed_on_telegram(slack_client, tg, db):
    made = said(await slack_client.command("link"))
    code = code_in(made)
    assert f"/link {code}" in made

    tg.add_chat(CHAT, first_name="Kim")
    tg.user_sends(CHAT, f"/link {code}")
    await bot_says(tg, "are now one person, Kim Coach")
    ids = await people_of(db)
    assert ids["telegram"] == ids["slack"]
    async with db.unit_of_work() as session:
        assert (await session.get_one(User, ids["slack"])).role == Role.BOTH

    tg.user_sends(CHAT, "/roster")  # a coach command, on Telegram, for the Slack coach
    await bot_says(tg, "You have no athletes yet")
    tg.user_sends(CHAT, f"/link {code}")  # single use
    await bot_says(tg, "unknown, used or expired")


async def test_a_code_made_on_telegram_is_redeemed_in_slack_and_keeps_the_history(
    slack_client, tg, db, clock
):
    tg.add_chat(CHAT, first_name="Kim")
    tg.user_sends(CHAT, "/link")
    message = await bot_says(tg, "Your link code")
    code = code_in(message["text"])
    telegram_person = (await people_of(db))["telegram"]
    async with db.unit_of_work() as session:  # Kim trains: her Telegram self has a history
        await activities.create_manual_activity(
            session,
            clock,
            telegram_person,
            telegram_person,
            sport="run",
            start=clock.now() - timedelta(hours=3),
            duration_s=1800,
            rpe=5,
        )
    assert "/trainlytics roster" in said(await slack_client.command("help"))
    assert (await people_of(db))["slack"] != telegram_person  # Slack made its own coach first

    assert "Linked" in said(await slack_client.command(f"link {code}"))
    ids = await people_of(db)
    assert ids["slack"] == ids["telegram"] == telegram_person  # the one with a history stays
    # The shared roster (the linked person is a coach without athletes yet), Slack-spelled.
    assert "You have no athletes yet. /trainlytics invite" in said(
        await slack_client.command("roster")
    )


async def test_the_console_makes_a_code_for_slack(slack_client, db, clock, both):
    ana = Chat(Conversation(db, clock), "Ana")
    await ana.send("/link")
    code = code_in(ana.text)
    assert f"/trainlytics link {code}" in ana.text
    assert "Linked" in said(await slack_client.command(f"link {code}"))
    ids = await people_of(db)
    assert ids["slack"] == ids["console"]


async def test_codes_expire_and_wrong_guesses_are_limited(slack_client, tg, db, clock):
    made = said(await slack_client.command("link"))
    code = code_in(made)
    clock.advance(timedelta(minutes=16))
    tg.add_chat(CHAT, first_name="Kim")
    tg.user_sends(CHAT, f"/link {code}")
    await bot_says(tg, "unknown, used or expired")

    for done, guess in enumerate(("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD")):
        tg.user_sends(CHAT, f"/link {guess}")
        await refusals(tg, done + 2)
    clock.advance(timedelta(minutes=10))
    fresh = code_in(said(await slack_client.command("link")))
    tg.user_sends(CHAT, f"/link {fresh}")  # the right code, still within the window
    await bot_says(tg, "Too many wrong codes: try again in 5 min")
    assert (await people_of(db))["telegram"] != (await people_of(db))["slack"]
    clock.advance(timedelta(minutes=5))  # the wrong tries age out of the window
    tg.user_sends(CHAT, f"/link {fresh}")
    await bot_says(tg, "are now one person")
