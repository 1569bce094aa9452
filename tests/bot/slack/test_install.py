"""Installing into a workspace (OAuth v2) and using the app there; weekly charts as files."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.slack.tables import installations
from core.db.models import DailyLoad
from core.enums import NotificationKind
from core.outbox import notifications
from core.outbox.delivery import deliver_due
from core.outbox.payloads import read_payload
from tests.bot.slack.conftest import SlackClient, _slack_tables, make_container
from tests.bot.slack.helpers import athlete_of, coach_id
from trainlytics.web_app import build_web_app
from workers.ratelimit import MemoryTokenBuckets


def install_state(page: str) -> str:
    """The OAuth `state` the install page's "Add to Slack" link carries."""
    found = re.search(r"state=([\w-]+)", page)
    assert found is not None, "the install page links to Slack with a state"
    return found.group(1)


async def test_install_then_use_in_that_workspace(slack, db, clock, tmp_path) -> None:
    slack.valid_tokens = set()  # only tokens issued by oauth.v2.access are accepted
    await _slack_tables(db)
    container = make_container(
        slack,
        db,
        clock,
        tmp_path,
        slack_bot_token=None,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
    )
    transport = httpx.ASGITransport(app=build_web_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = await http.get("/slack/install")
        assert page.status_code == 200
        state = install_state(page.text)
        cookie = page.headers["set-cookie"].split(";")[0]
        assert "scope=" in page.text and "chat:write" in page.text.replace("%3A", ":")

        refused = await http.get(f"/slack/oauth_redirect?code=abc&state={state}")
        assert refused.status_code == 400  # no state cookie: not the browser that started

        page = await http.get("/slack/install")
        state = install_state(page.text)
        cookie = page.headers["set-cookie"].split(";")[0]
        done = await http.get(
            f"/slack/oauth_redirect?code=abc&state={state}", headers={"Cookie": cookie}
        )
        assert done.status_code == 200, done.text
        access = slack.calls_to("oauth.v2.access")
        assert len([c for c in access if c.ok]) == 1

        async with db.unit_of_work() as session:
            rows = (await session.execute(select(installations))).mappings().all()
        assert [r["team_id"] for r in rows] == ["T0TRAINLY"]
        assert rows[0]["bot_token"] in slack.issued_tokens

        answer = await SlackClient(http).command("help")
        assert answer.status_code == 200 and "/trainlytics roster" in answer.text
        checked = len(slack.calls_to("auth.test"))
        await SlackClient(http).command("roster")
        assert len(slack.calls_to("auth.test")) == checked  # authorisations are cached
    await container.aclose()


async def test_weekly_chart_is_uploaded_with_files_upload_v2(slack, container, db, clock) -> None:
    coach = await coach_id(db)
    await athlete_of(db, clock)
    async with db.unit_of_work() as session:
        for k in range(10):
            day = clock.now().date() - timedelta(days=10 - k)
            session.add(
                DailyLoad(
                    user_id=coach,
                    day=day,
                    load=50.0,
                    fitness=20.0 + k,
                    fatigue=30.0,
                    form=-10.0 + k,
                )
            )
        await notifications.notify(
            session,
            clock,
            recipient_id=coach,
            payload=read_payload(
                NotificationKind.WEEKLY_SUMMARY,
                {"chart": "load", "week_end": clock.now().date().isoformat()},
            ),
            key="weekly:coach:test",
        )
    sender = container.senders["slack"]
    for _ in range(5):
        report = await deliver_due(db, clock, {"slack": sender}, MemoryTokenBuckets())
        if not report.deferred:
            break
        clock.advance(timedelta(seconds=5))
    done = await slack.wait_for(lambda c: c.method == "files.completeUploadExternal")
    assert done.ok, done.response
    upload = await slack.wait_for(lambda c: c.method == "upload")
    assert upload.files["file"].data.startswith(b"\x89PNG")
    shared = slack.shared_files[0]
    assert shared["channel"].startswith("D") and shared["thread_ts"]
