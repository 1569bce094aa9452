"""Slack's modals speak the coach's language (titles, buttons, labels) and a submission is
confirmed in the conversation's words: a modal only collects the fields."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from bot.conversation.handlers.coach import subject_label
from core.db.models import Activity, Comment, User
from core.words import say
from tests.bot.slack.conftest import COACH, TEAM
from tests.bot.slack.helpers import athlete_of, coach_id, planned, session_done


async def _speaks(db, locale: str) -> None:
    async with db.unit_of_work() as session:
        (await session.get_one(User, await coach_id(db))).locale = locale


def _pressed(action_id: str, value: str) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "coaches"},
        "user": {"id": COACH, "team_id": TEAM, "name": "Kim Coach"},
        "api_app_id": "A0TRAINLY",
        "actions": [{"type": "button", "action_id": action_id, "value": value, "block_id": "b"}],
    }


def _submitted(view: dict, values: dict) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "coaches"},
        "user": {"id": COACH, "team_id": TEAM, "name": "Kim Coach"},
        "api_app_id": "A0TRAINLY",
        "view": {**view, "id": "V0", "team_id": TEAM, "state": {"values": values}},
    }


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_the_plan_modal_is_framed_in_the_coachs_language(client, slack, db, clock, locale):
    await athlete_of(db, clock)
    await _speaks(db, locale)
    response = await client.command("plan Alex")
    assert say(locale, "plan_opening", name="Alex Martin") in response.json()["text"]
    view = (await slack.wait_for(lambda c: c.method == "views.open")).params["view"]
    assert view["title"]["text"] == say(locale, "modal_plan_title")
    assert view["submit"]["text"] == say(locale, "modal_plan_submit")
    assert view["close"]["text"] == say(locale, "btn_cancel")
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}
    assert labels["sport"] == say(locale, "field_sport")
    assert labels["steps"] == say(locale, "field_steps")


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_the_comment_modal_from_app_home_sends_in_the_conversations_words(
    client, slack, db, clock, locale
) -> None:
    athlete = await athlete_of(db, clock)
    await session_done(db, clock, athlete)
    await _speaks(db, locale)
    await client.interact(_pressed("athlete_comment", str(athlete)))
    view = (await slack.wait_for(lambda c: c.method == "views.open")).params["view"]
    assert view["title"]["text"] == say(locale, "modal_comment_title")
    assert view["submit"]["text"] == say(locale, "modal_send")
    answer = await client.interact(
        _submitted(view, {"text": {"value": {"type": "plain_text_input", "value": "Bravo"}}})
    )
    assert answer.status_code == 200
    sent = await slack.wait_for(lambda c: c.method == "chat.postMessage")
    async with db.unit_of_work() as session:
        stored = await session.scalar(select(Comment))
        assert stored is not None and stored.body == "Bravo"
        label = subject_label(locale, await session.get_one(Activity, stored.activity_id))
    shown = html.unescape(sent.params["text"])
    assert shown == say(locale, "comment_sent", name="Alex Martin", subject=label)


async def test_the_move_modal_refuses_a_missing_date_under_its_field(client, slack, db, clock):
    athlete = await athlete_of(db, clock)
    workout = await planned(db, clock, athlete)
    await _speaks(db, "fr")
    await client.interact(_pressed("digest_move", f"{athlete}:{workout}"))
    view = (await slack.wait_for(lambda c: c.method == "views.open")).params["view"]
    assert view["title"]["text"] == say("fr", "modal_move_title")
    assert view["submit"]["text"] == say("fr", "btn_move")
    answer = await client.interact(
        _submitted(view, {"date": {"value": {"type": "datepicker", "selected_date": None}}})
    )
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"date": say("fr", "err_date_missing")},
    }
