"""Permissions across people, as a coach in Slack meets them (docs/security.md).

One athlete withholding their activities leaves the rest of the roster intact; an
athlete id outside the coach's relationships (a forged button value or modal metadata)
answers exactly like an id that exists nowhere, and never names the athlete.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.coaching import relationships as coaching
from core.db.models import Comment, Workout
from tests.bot.slack.conftest import COACH, block_texts
from tests.bot.slack.helpers import athlete_of, coach_id, planned, session_done
from tests.bot.slack.test_commands import said
from tests.bot.slack.test_feed_home_digest import _press
from tests.factories import person

NOWHERE = 987654  # an id no row has


async def test_one_athlete_withholding_activities_does_not_break_the_roster(
    client, slack, db, clock
) -> None:
    await coach_id(db)
    await session_done(db, clock, await athlete_of(db, clock, "Alex Martin"))
    await athlete_of(db, clock, "Private Pat", view_activities=False)

    roster = said(await client.command("roster"))
    alex = next(line for line in roster.splitlines() if line.startswith("Alex Martin · "))
    assert "Form" in alex
    pat = next(line for line in roster.splitlines() if line.startswith("Private Pat · "))
    assert "not shared" in pat and "Form" not in pat

    await client.event({"type": "app_home_opened", "user": COACH, "tab": "home"})
    call = await slack.wait_for(lambda c: c.method == "views.publish")
    home = block_texts(call.params["view"]["blocks"])
    assert "Alex Martin" in home and "Not shared" in home

    card = said(await client.command("athlete Private Pat"))
    assert "has not allowed their coach to view activities" in card


async def others_athlete(db, clock) -> tuple[int, int]:
    """Ben, coached by someone else, with a planned workout."""
    async with db.unit_of_work() as session:
        olga = await person(session, "Coach Olga")
        ben = await person(session, "Ben Outsider")
        invitation = await coaching.create_invitation(session, clock, olga.id)
        await coaching.accept_invitation(session, clock, ben.id, invitation.code)
        ben_id = ben.id
    return ben_id, await planned(db, clock, ben_id, days_ahead=1)


async def refusal_to(slack, client, payload: dict) -> str:
    before = len(slack.calls_to("chat.postMessage"))
    response = await client.interact(payload)
    assert response.status_code == 200
    call = await slack.wait_for(
        lambda c: (
            c.method == "chat.postMessage" and len(slack.calls_to("chat.postMessage")) > before
        )
    )
    return call.params["text"]


@pytest.mark.parametrize(
    "action_id",
    ["digest_move", "digest_comment", "athlete_open", "athlete_plan", "athlete_comment"],
)
async def test_a_forged_athlete_id_answers_like_one_that_never_was(
    client, slack, db, clock, action_id
) -> None:
    await coach_id(db)
    ben, workout = await others_athlete(db, clock)
    outsider = await refusal_to(slack, client, _press(action_id, f"{ben}:{workout}"))
    nowhere = await refusal_to(slack, client, _press(action_id, f"{NOWHERE}:{NOWHERE}"))
    assert outsider == nowhere
    assert "Ben" not in outsider
    assert not [c for c in slack.calls if c.method == "views.open"]


async def test_forged_modal_submissions_answer_like_unknown_ids(client, slack, db, clock) -> None:
    from tests.bot.slack.test_commands import _submission

    await coach_id(db)
    ben, _ = await others_athlete(db, clock)
    answers = []
    for athlete in (ben, NOWHERE):
        plan = _submission(
            {"type": "modal", "callback_id": "plan_workout", "private_metadata": str(athlete)},
            title="Sneaky",
            steps="10min easy",
            date=clock.now().date().isoformat(),
        )
        comment = {
            **plan,
            "view": {
                "type": "modal",
                "callback_id": "comment_modal",
                "private_metadata": f"{athlete}:0",
                "id": "V0COMMENT",
                "team_id": plan["view"]["team_id"],
                "state": {
                    "values": {"text": {"value": {"type": "plain_text_input", "value": "hi"}}}
                },
            },
        }
        answers.append([(await client.interact(p)).json()["errors"] for p in (plan, comment)])
    assert answers[0] == answers[1]
    assert "Ben" not in str(answers[0])
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Comment)) == 0
        assert (
            await session.scalar(
                select(func.count()).select_from(Workout).where(Workout.title == "Sneaky")
            )
            == 0
        )
