"""A coach plans, moves and comments for an athlete through the conversation: the chat
asks the fields as questions, a door with forms gets a `FormAsk` and sends the typed form
back; both end in the same handler, and a refused form says which field is wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.conversation import Conversation, ConversationSettings
from bot.conversation.callbacks import Scope, cb
from bot.conversation.types import CommentForm, MoveForm, Place, PlanForm, RequestKind
from core.db.models import Comment, User, Workout
from core.demo import seed as demo
from core.planning import workouts as planning
from core.words import say, say_n
from tests.bot.conversation.test_conversations import Chat
from tests.factories import person

CLAIRE = demo.COACH_NAME


@pytest.fixture
async def seeded(db, clock) -> demo.DemoResult:
    return await demo.seed_demo(db, clock)


async def _ana(db, clock) -> tuple[int, object]:
    async with db.unit_of_work() as session:
        ana = await session.scalar(select(User).where(User.name == "Ana"))
        return ana.id, await planning.local_today(session, clock, ana.id)


async def test_plan_name_asks_the_fields_and_a_bad_answer_keeps_the_question(
    db, clock, seeded
) -> None:
    claire = Chat(Conversation(db, clock), CLAIRE)
    ana_id, today = await _ana(db, clock)
    await claire.send("/plan Ana")
    example = (today + timedelta(days=1)).isoformat()
    assert claire.text == say("en", "plan_ask_when", name="Ana", example=example)
    await claire.send("someday run Hills")
    assert claire.text == say("en", "refuse_not_a_date", value="someday")
    day = today + timedelta(days=3)
    await claire.send(f"{day.isoformat()} run Hills")
    assert claire.text == say("en", "plan_ask_steps")
    await claire.send("fast please")  # not a step: refused, the question stays
    assert "fast please" in claire.text
    await claire.send("10min warmup; 6x(1min interval, 2min recovery)")
    assert "Hills" in claire.text and "Ana" in claire.text
    async with db.unit_of_work() as session:
        hills = await session.scalar(select(Workout).where(Workout.title == "Hills"))
    assert hills is not None and hills.athlete_id == ana_id and hills.scheduled_date == day
    await claire.send("10min warmup")  # the exchange is over: no second workout
    async with db.unit_of_work() as session:
        count = len(list(await session.scalars(select(Workout).where(Workout.title == "Hills"))))
    assert count == 1


async def test_a_door_with_forms_gets_the_form_and_its_refusals_by_field(db, clock, seeded):
    conversation = Conversation(db, clock, settings=ConversationSettings(forms=True))
    claire = Chat(conversation, CLAIRE)
    ana_id, today = await _ana(db, clock)
    await claire.send("/plan Ana")
    (ask,) = [r.form for r in claire.last if r.form is not None]
    assert (ask.form, ask.athlete_id, ask.day) == ("plan", ana_id, today)
    assert await conversation.state.get(claire_key(claire)) == {}  # nothing awaited

    refused = await claire.request(
        kind=RequestKind.FORM, form=PlanForm(ana_id, None, "run", " ", "")
    )
    # The date is checked first: nothing else is looked at without one.
    assert refused[0].errors == {"date": say("en", "err_date_missing")}
    untitled = await claire.request(
        kind=RequestKind.FORM, form=PlanForm(ana_id, today, "run", " ", "")
    )
    assert untitled[0].errors == {"title": say("en", "err_title_missing")}
    done = await claire.request(
        kind=RequestKind.FORM, form=PlanForm(ana_id, today, "run", "Tempo", "20min steady")
    )
    assert done[0].errors is None and "Tempo" in done[0].plain

    async with db.unit_of_work() as session:
        tempo = await session.scalar(select(Workout).where(Workout.title == "Tempo"))
    moved = await claire.request(
        kind=RequestKind.FORM, form=MoveForm(tempo.id, today + timedelta(days=1))
    )
    assert "Tempo" in moved[0].plain and moved[0].errors is None
    sent = await claire.request(
        kind=RequestKind.FORM, form=CommentForm(ana_id, "Easy on the hills", tempo.id)
    )
    assert sent[0].errors is None
    async with db.unit_of_work() as session:
        comment = await session.scalar(select(Comment).where(Comment.workout_id == tempo.id))
    assert comment is not None and comment.body == "Easy on the hills"


def claire_key(chat: Chat):
    from bot.conversation.state import StateKey

    return StateKey.of(chat.address)


async def test_forged_ids_in_forms_and_buttons_answer_like_ids_that_never_were(
    db, clock, seeded
) -> None:
    async with db.unit_of_work() as session:
        stranger = (await person(session, "Stranger")).id
    conversation = Conversation(db, clock, settings=ConversationSettings(forms=True))
    claire = Chat(conversation, CLAIRE)
    await claire.request(kind=RequestKind.BUTTON, callback=cb(Scope.ROSTER, "plan", stranger))
    assert all(r.form is None for r in claire.last)
    nowhere = await claire.request(kind=RequestKind.BUTTON, callback=cb(Scope.ROSTER, "plan", 0))
    assert claire.text == "\n".join(r.plain for r in nowhere)
    refused = await claire.request(kind=RequestKind.FORM, form=CommentForm(stranger, "hello", None))
    assert set(refused[0].errors or {}) == {"text"}
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Comment).where(Comment.body == "hello")) is None


async def test_feed_is_slacks_and_only_goes_to_private_places(db, clock, seeded) -> None:
    claire = Chat(Conversation(db, clock), CLAIRE)
    await claire.send("/feed here")
    assert claire.text == say("en", "feed_elsewhere")

    moved: list[tuple[int, str | None]] = []

    async def set_feed(session, coach_id: int, channel: str | None) -> int:
        moved.append((coach_id, channel))
        return 3

    claire = Chat(Conversation(db, clock, settings=ConversationSettings(set_feed=set_feed)), CLAIRE)
    await claire.request(
        kind=RequestKind.COMMAND, command="feed", args="here", place=Place("C0PUB", False, False)
    )
    assert claire.text == say("en", "feed_not_private") and moved == []
    await claire.request(
        kind=RequestKind.COMMAND, command="feed", args="here", place=Place("G0PRIV", True, False)
    )
    assert claire.text == say_n("en", "feed_here", 3)
    await claire.send("/feed dm")
    assert claire.text == say_n("en", "feed_dm", 3)
    assert [channel for _, channel in moved] == ["G0PRIV", None]


async def test_an_athlete_sending_assign_is_told_how_to_coach(db, clock, seeded) -> None:
    newcomer = Chat(Conversation(db, clock), "Newcomer")
    await newcomer.send("/assign Base Ana 2026-03-16")
    assert newcomer.text == say("en", "coach_only", command="assign")


async def test_the_comment_and_move_buttons_ask_in_the_chat(db, clock, seeded) -> None:
    claire = Chat(Conversation(db, clock), CLAIRE)
    ana_id, today = await _ana(db, clock)
    await claire.request(kind=RequestKind.BUTTON, callback=cb(Scope.ROSTER, "comment", ana_id, 0))
    assert claire.text == say("en", "comment_ask", name="Ana")
    await claire.send("Nice and steady")
    async with db.unit_of_work() as session:
        comment = await session.scalar(select(Comment).where(Comment.body == "Nice and steady"))
        assert comment is not None
        workout = await session.scalar(
            select(Workout).where(Workout.athlete_id == ana_id, Workout.scheduled_date >= today)
        )
    assert workout is not None
    await claire.request(
        kind=RequestKind.BUTTON, callback=cb(Scope.ROSTER, "move", ana_id, workout.id)
    )
    assert claire.text == say("en", "move_to", title=workout.title)
    days = [b.callback for b in claire.last[0].buttons]
    assert days and all(c.scope == "wk" and c.action == "moveto" for c in days)
