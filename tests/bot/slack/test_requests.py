"""Slack's requests: signatures, the five-minute window, retried events, no configuration."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from core.db.models import User
from tests.bot.slack.conftest import COACH, SlackClient, make_container
from trainlytics.web_app import build_web_app


async def _people(db) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_a_wrong_signature_is_refused_and_nothing_is_handled(client, slack, db) -> None:
    forged = SlackClient(client.http, secret="not-the-secret")
    response = await forged.command("roster")
    assert response.status_code == 401
    assert await _people(db) == 0
    assert slack.calls == []


async def test_a_request_older_than_five_minutes_is_refused(client, slack, db) -> None:
    body = "text=roster&user_id=U0COACH01&team_id=T0TRAINLY&command=%2Ftrainlytics"
    headers = client.headers(body, age_s=400) | {
        "Content-Type": "application/x-www-form-urlencoded"
    }
    response = await client.http.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert await _people(db) == 0


async def test_a_retried_event_is_acted_on_once(client, slack) -> None:
    event = {"type": "app_home_opened", "user": COACH, "tab": "home", "channel": "D0COACHDM"}
    first = await client.event(event, event_id="Ev0HOME1")
    assert first.status_code == 200
    await slack.wait_for(lambda c: c.method == "views.publish")
    again = await client.event(event, event_id="Ev0HOME1", retry=1)
    assert again.status_code == 200
    other = await client.event(event, event_id="Ev0HOME2")
    assert other.status_code == 200
    await slack.wait_for(
        lambda c: c.method == "views.publish" and len(slack.calls_to(c.method)) == 2
    )
    assert len(slack.calls_to("views.publish")) == 2  # Ev0HOME1 once, Ev0HOME2 once


async def test_without_slack_settings_the_routes_do_not_exist(slack, db, clock, tmp_path) -> None:
    container = make_container(
        slack, db, clock, tmp_path, slack_signing_secret=None, slack_bot_token=None
    )
    transport = httpx.ASGITransport(app=build_web_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.post("/slack/events", content="{}")).status_code == 404
        assert (await http.get("/slack/install")).status_code == 404
        assert (await http.get("/slack/oauth_redirect?code=x&state=y")).status_code == 404
