"""The plan modal's refusals are sentences in the coach's language naming the field and
the step, never pydantic's raw text (issue 13, item 18)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db.models import User, Workout
from tests.bot.slack.helpers import athlete_of, coach_id
from tests.bot.slack.test_commands import _open_plan_modal, _submission

RAW = ("function-after", "Field required", "Input should", "Repeat.", "Extra inputs", "_s")


async def errors_for(client, view, **fields) -> dict[str, str]:
    response = await client.interact(_submission(view, **fields))
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    for text in answer["errors"].values():
        for raw in RAW:
            assert raw not in text, text
    return answer["errors"]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            {
                "kind": "Step 2.1: the step type must be one of",
                "repeat": "Step 1: the repeat count must be at least 2.",
                "target": "Step 1: the target's high value must be at least its low value.",
                "line": "Steps, line 1: “fast please” is not a step.",
                "title": "Title: give the workout a title.",
                "date": "Date: pick a date.",
            },
        ),
        (
            "fr",
            {
                "kind": "Étape 2.1 : le type d'étape doit être parmi",
                "repeat": "Étape 1 : le nombre de répétitions doit valoir au moins 2.",
                "target": "Étape 1 : la valeur haute de la cible doit atteindre la basse.",
                "line": "Étapes, ligne 1 : « fast please » n'est pas une étape.",
                "title": "Titre : donnez un titre à la séance.",
                "date": "Date : choisissez une date.",
            },
        ),
    ],
)
async def test_plan_modal_errors_name_the_field_in_the_coachs_language(
    client, slack, db, clock, locale, expected
) -> None:
    coach = await coach_id(db)
    async with db.unit_of_work() as session:
        (await session.get_one(User, coach)).locale = locale
    await athlete_of(db, clock)
    view = await _open_plan_modal(client, slack)
    day = "2026-03-12"
    two_lines = "10min warmup\n4x(5min sprint)"
    kind = await errors_for(client, view, title="T", steps=two_lines, date=day)
    assert kind["steps"].startswith(expected["kind"])
    repeat = await errors_for(client, view, title="T", steps="1x(5min interval)", date=day)
    assert repeat["steps"] == expected["repeat"]
    target = await errors_for(
        client, view, title="T", steps="5min interval @ 110-100% power", date=day
    )
    assert target["steps"] == expected["target"]
    line = await errors_for(client, view, title="T", steps="fast please", date=day)
    assert line["steps"].startswith(expected["line"])
    assert (await errors_for(client, view, title=" ", steps="", date=day)) == {
        "title": expected["title"]
    }
    assert (await errors_for(client, view, title="T", steps="", date="")) == {
        "date": expected["date"]
    }
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Workout)) is None
