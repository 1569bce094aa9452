"""Athlete-chosen strings cannot ping a channel, mention someone or plant a link in the
coach's Slack, and a captured signed request cannot be replayed (docs/security.md, "Slack").

Driven through /slack/events with signed requests and the outbox delivery against the
fake Slack Web API.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.conversation.markup import slack_escape
from core.db.models import Comment, Workout
from core.schedules.attention import write_coach_digest
from tests.bot.slack.helpers import athlete_of, coach_id, planned, session_done
from tests.bot.slack.test_feed_home_digest import deliver

HOSTILE = "<!channel> <@U0BOSS> <https://evil.example|click me> & co"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U0BOSS>", "&lt;@U0BOSS&gt;"),
        ("<https://evil|click me>", "&lt;https://evil|click me&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&lt;", "&amp;lt;"),  # an entity typed by a person stays what they typed
    ],
)
def test_one_escaping_function_follows_slacks_rule(raw: str, escaped: str) -> None:
    assert slack_escape(raw) == escaped


def mrkdwn_texts(node: Any) -> list[str]:
    """Every string Slack parses as mrkdwn: mrkdwn objects (plain_text is never parsed)."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    found = [node["text"]] if node.get("type") == "mrkdwn" else []
    return found + [t for v in node.values() if isinstance(v, dict | list) for t in mrkdwn_texts(v)]


def assert_inert(*texts: str) -> None:
    joined = "\n".join(texts)
    assert "&lt;!channel&gt;" in joined, joined
    for live in ("<!channel>", "<@U0BOSS>", "<https://evil"):
        assert live not in joined, joined


async def hostile_athlete(db, clock, *, digest: bool = False) -> None:
    """An athlete whose name, session name and workout title are all the hostile string.

    `digest`: the coach's digest is written first, while the athlete never synced."""
    coach = await coach_id(db)
    athlete = await athlete_of(db, clock, HOSTILE)
    workout = await planned(db, clock, athlete, days_ahead=1)
    async with db.unit_of_work() as session:
        (await session.get_one(Workout, workout)).title = HOSTILE
        if digest:
            assert await write_coach_digest(session, clock, coach) is not None
    await session_done(db, clock, athlete, name=HOSTILE)


async def test_feed_posts_and_the_digest_escape_every_hostile_string(
    client, slack, container, db, clock
) -> None:
    await hostile_athlete(db, clock, digest=True)
    await deliver(container)
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) >= 3  # athlete joined, the session, the digest
    for post in posts:
        assert_inert(post.params["text"], *mrkdwn_texts(post.params.get("blocks") or []))


async def test_roster_athlete_card_and_answers_escape_hostile_names(
    client, slack, db, clock
) -> None:
    await hostile_athlete(db, clock)
    for command in ("roster", "athlete <!channel>", "comment <!channel> hi", "dance <!channel>"):
        response = await client.command(command)
        assert response.status_code == 200, response.text
        body = response.json()
        texts = [body.get("text", ""), *mrkdwn_texts(body.get("blocks") or [])]
        for live in ("<!channel>", "<@U0BOSS>", "<https://evil"):
            assert live not in "\n".join(texts), (command, texts)


async def test_app_home_escapes_hostile_names(client, slack, db, clock) -> None:
    await hostile_athlete(db, clock)
    await client.event({"type": "app_home_opened", "user": "U0COACH01", "tab": "home"})
    call = await slack.wait_for(lambda c: c.method == "views.publish")
    assert_inert(*mrkdwn_texts(call.params["view"]["blocks"]))


async def comments(db) -> int:
    async with db.unit_of_work() as session:
        return await session.scalar(select(func.count()).select_from(Comment))


async def test_a_replayed_slash_command_does_nothing_the_second_time(
    client, slack, db, clock
) -> None:
    await coach_id(db)
    await session_done(db, clock, await athlete_of(db, clock, "Alex Martin"))
    body, headers = client.command_request("comment Alex Great session")
    first = await client.post(body, headers)
    assert first.status_code == 200 and "Sent to Alex Martin" in first.text
    for _ in range(5):  # the captured request, replayed within the five minutes
        again = await client.post(body, headers)
        assert again.status_code == 200 and again.text == ""
    assert await comments(db) == 1
    # The coach typing the same command again is a new request and is done again.
    assert "Sent to Alex Martin" in (await client.command("comment Alex Great session")).text
    assert await comments(db) == 2


async def test_a_replayed_button_press_does_nothing_the_second_time(
    client, slack, container, db, clock
) -> None:
    from tests.bot.slack.test_feed_home_digest import _press

    coach = await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    workout = await planned(db, clock, athlete, days_ahead=1)
    async with db.unit_of_work() as session:
        await write_coach_digest(session, clock, coach)
    await deliver(container)
    post = next(
        c.response for c in slack.calls_to("chat.postMessage") if "attention" in c.params["text"]
    )
    payload = _press("digest_reduce", f"{athlete}:{workout}", post)

    body = urlencode({"payload": json.dumps(payload)})
    headers = client.headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
    assert (await client.post(body, headers)).status_code == 200
    await slack.wait_for(lambda c: c.method == "chat.update")
    assert (await client.post(body, headers)).text == ""
    async with db.unit_of_work() as session:
        reduced = await session.get_one(Workout, workout)
    assert reduced.planned_duration_s == pytest.approx((15 + 4 * 8) * 60 * 0.8)  # once, not twice
