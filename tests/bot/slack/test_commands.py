"""`/trainlytics` subcommands as a coach sees them, and the plan modal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db.models import ChatIdentity, Comment, Invitation, Notification, User, Workout
from core.enums import Role
from core.planning import workouts as planning
from tests.bot.slack.conftest import COACH, TEAM, block_texts
from tests.bot.slack.helpers import athlete_of, coach_id, planned, session_done


def said(response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    return body.get("text", "") + "\n" + block_texts(body.get("blocks", []))


async def test_a_slack_user_becomes_a_coach_on_first_use(client, db) -> None:
    text = said(await client.command("help"))
    assert "/trainlytics roster" in text
    async with db.unit_of_work() as session:
        identity = await session.scalar(
            select(ChatIdentity).where(ChatIdentity.platform_user_id == COACH)
        )
        assert identity is not None and identity.workspace_id == TEAM
        user = await session.get_one(User, identity.user_id)
        assert user.role == Role.COACH


async def test_unknown_input_gets_help(client) -> None:
    text = said(await client.command("dance"))
    assert "don't know “dance”" in text and "/trainlytics help lists" in text
    helped = said(await client.command(""))  # /trainlytics alone lists the commands
    assert "/trainlytics invite" in helped and "/trainlytics feed dm" in helped


async def test_invite_gives_a_code_and_a_telegram_link(client, db) -> None:
    text = said(await client.command("invite"))
    async with db.unit_of_work() as session:
        invitation = await session.scalar(select(Invitation))
    assert invitation is not None
    assert invitation.code in text
    assert f"https://t.me/TrainlyticsBot?start={invitation.code}" in text


async def test_roster_and_athlete_show_the_numbers(client, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock, "Alex Martin")
    await session_done(db, clock, athlete)
    await planned(db, clock, athlete, days_ahead=2, key=True)

    # The conversation's /roster and /athlete, in the words every face uses.
    roster = said(await client.command("roster"))
    assert "Alex Martin · " in roster and "Form +" in roster

    card = said(await client.command("athlete alex"))
    assert "Alex Martin · week of" in card
    assert "run · 9.0 km · 45 min" in card  # last activities
    assert "Intervals ★" in card  # next workouts
    assert "Fitness " in card and " · Fatigue " in card


async def test_another_coachs_athlete_is_politely_refused(client, db, clock) -> None:
    await coach_id(db)
    text = said(await client.command("athlete Nobody Known"))
    assert "You coach no athlete called" in text
    text = said(await client.command("comment Nobody hi"))
    assert "No athlete of yours" in text


async def test_a_name_that_does_not_match_points_to_the_roster_command(client, db, clock) -> None:
    await coach_id(db)
    for name in ("Chloé Martin", "Chris Doe"):
        await athlete_of(db, clock, name)
    assert "/trainlytics roster" in said(await client.command("athlete Sam"))
    ambiguous = said(await client.command("athlete ch"))
    assert "Chloé Martin, Chris Doe" in ambiguous and "/trainlytics roster" in ambiguous
    assert "/trainlytics roster" in said(await client.command("athlete"))
    assert "/trainlytics roster" in said(await client.command("comment Sam well done"))
    # The same names as in Telegram: case and accents do not matter.
    assert "Chloé Martin · week of" in said(await client.command("athlete chloe martin"))


async def test_comment_reaches_the_athletes_outbox(client, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock)
    activity = await session_done(db, clock, athlete)
    text = said(await client.command("comment Alex Martin Great pacing, keep it easy tomorrow"))
    assert "Sent to Alex Martin" in text
    async with db.unit_of_work() as session:
        comment = await session.scalar(select(Comment))
        assert comment is not None and comment.activity_id == activity
        assert comment.body == "Great pacing, keep it easy tomorrow"
        outbox = await session.scalar(
            select(Notification)
            .where(Notification.recipient_id == athlete)
            .where(Notification.kind == "coach_comment")
        )
        assert outbox is not None


async def test_comment_needs_the_athletes_permission(client, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock, comment=False)
    await session_done(db, clock, athlete)
    text = said(await client.command("comment Alex Martin hello"))
    assert "not allowed their coach to comment" in text
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Comment)) is None


async def test_assign_puts_a_template_on_the_calendar(client, db, clock) -> None:
    coach = await coach_id(db)
    athlete = await athlete_of(db, clock)
    async with db.unit_of_work() as session:
        await planning.create_template(
            session,
            coach,
            "Base Week",
            1,
            [
                planning.TemplateEntry(
                    0, 0, planning.WorkoutSpec("run", "Easy 40'", planned_duration_s=2400)
                ),
                planning.TemplateEntry(
                    0, 2, planning.WorkoutSpec("ride", "Tempo", planned_duration_s=3600)
                ),
            ],
        )
    text = said(await client.command("assign Base Week Alex Martin 2026-03-16"))
    assert "starts for Alex Martin on Mon 16 Mar (1 week)" in text
    async with db.unit_of_work() as session:
        workouts = list(await session.scalars(select(Workout).where(Workout.athlete_id == athlete)))
    assert sorted(w.scheduled_date.isoformat() for w in workouts) == ["2026-03-16", "2026-03-18"]
    assert "no plan template called" in said(
        await client.command("assign Nope Alex Martin 2026-03-16")
    )
    assert "not a date" in said(await client.command("assign Base Week Alex Martin someday"))


async def test_digest_lists_only_athletes_needing_attention(client, db, clock) -> None:
    await coach_id(db)
    fine = await athlete_of(db, clock, "Fine Fiona")
    await session_done(db, clock, fine)
    await athlete_of(db, clock, "Quiet Quentin")  # never synced: needs attention
    body = (await client.command("digest")).json()
    text = said(await client.command("digest"))
    assert "Quiet Quentin" in text and "no session recorded yet" in text
    assert "Fine Fiona" not in text
    labels = [
        e["text"]["text"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert "Comment" in labels and "Snooze" in labels


async def _open_plan_modal(client, slack) -> dict:
    text = said(await client.command("plan Alex"))
    assert "Alex Martin…" in text  # "Planning a workout for", in the coach's language
    call = await slack.wait_for(lambda c: c.method == "views.open")
    assert call.ok, call.response
    return call.params["view"]


def _submission(view: dict, *, title: str, steps: str, date: str) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "coaches"},
        "user": {"id": COACH, "team_id": TEAM, "name": "Kim Coach"},
        "api_app_id": "A0TRAINLY",
        "trigger_id": "1337.43.trigger",
        "view": {
            **view,
            "id": "V0PLAN",
            "team_id": TEAM,
            "state": {
                "values": {
                    "sport": {
                        "value": {"type": "static_select", "selected_option": {"value": "run"}}
                    },
                    "date": {"value": {"type": "datepicker", "selected_date": date}},
                    "title": {"value": {"type": "plain_text_input", "value": title}},
                    "steps": {"value": {"type": "plain_text_input", "value": steps}},
                    "key": {
                        "value": {"type": "checkboxes", "selected_options": [{"value": "key"}]}
                    },
                }
            },
        },
    }


async def test_plan_modal_shows_errors_and_stores_nothing(client, slack, db, clock) -> None:
    await coach_id(db)
    await athlete_of(db, clock)
    view = await _open_plan_modal(client, slack)
    response = await client.interact(
        _submission(
            view, title="Threshold", steps="15min warmup\n4x(5min sprint)", date="2026-03-12"
        )
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert "steps" in answer["errors"]
    response = await client.interact(_submission(view, title="  ", steps="", date="2026-03-12"))
    assert response.json()["errors"] == {"title": "Title: give the workout a title."}
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Workout)) is None


async def test_plan_modal_stores_a_structured_workout(client, slack, db, clock) -> None:
    await coach_id(db)
    athlete = await athlete_of(db, clock)
    view = await _open_plan_modal(client, slack)
    steps = "15min warmup\n4x(5min interval @ 105-110% power, 3min recovery)\n10min cooldown"
    response = await client.interact(
        _submission(view, title="Threshold", steps=steps, date="2026-03-12")
    )
    assert response.status_code == 200
    assert response.text in ("", "{}") or "errors" not in response.json()
    await slack.wait_for(lambda c: c.method == "chat.postMessage" and "Planned" in c.params["text"])
    async with db.unit_of_work() as session:
        workout = await session.scalar(select(Workout).where(Workout.athlete_id == athlete))
    assert workout is not None and workout.title == "Threshold" and workout.key_workout
    assert workout.structure[1]["repeat"] == 4
    assert workout.planned_duration_s == (15 + 4 * 8 + 10) * 60
    assert workout.scheduled_date.isoformat() == "2026-03-12"


async def test_plan_needs_the_plan_permission(client, slack, db, clock) -> None:
    await coach_id(db)
    await athlete_of(db, clock, plan_workouts=False)
    text = said(await client.command("plan Alex"))
    assert "not allowed their coach to plan workouts" in text
    assert slack.calls_to("views.open") == []


async def test_link_code_joins_a_telegram_person(client, db, clock) -> None:
    from core.enums import Platform
    from core.people import identities as accounts
    from core.people.identities import ChatAddress

    async with db.unit_of_work() as session:
        runner, _ = await accounts.get_or_create_person(
            session, ChatAddress(Platform.TELEGRAM, "777", chat_id="777", display_name="Kim")
        )
        code = await accounts.create_link_code(session, clock, runner.id)
    text = said(await client.command(f"link {code}"))
    assert "Linked" in text
    async with db.unit_of_work() as session:
        identity = await session.scalar(
            select(ChatIdentity).where(ChatIdentity.platform_user_id == COACH)
        )
        assert identity is not None and identity.user_id == runner.id
        assert (await session.get_one(User, runner.id)).role == Role.BOTH
    assert "/link " in said(await client.command("link"))
    _ = timedelta
