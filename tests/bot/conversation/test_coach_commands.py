"""A coach tries Trainlytics without Slack: /roster, /athlete, /invite, /comment, /digest in
the platform-neutral conversation (Telegram, console), on the demo's Coach Claire."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from bot.console.chat import ConsoleChat
from bot.conversation import Conversation, ConversationSettings
from bot.conversation.callbacks import Scope, cb
from bot.conversation.types import RequestKind
from core.coaching import relationships as coaching
from core.db.models import Comment, Invitation, Notification, User
from core.demo import seed as demo
from core.enums import NotificationKind, Role
from tests.bot.conversation.test_conversations import Chat, onboard

CLAIRE = demo.COACH_NAME


@pytest.fixture
def conversation(db, clock) -> Conversation:
    settings = ConversationSettings(telegram_bot_username="TrainlyticsBot")
    return Conversation(db, clock, settings=settings)


@pytest.fixture
async def seeded(db, clock) -> demo.DemoResult:
    return await demo.seed_demo(db, clock)


async def test_claire_sees_her_roster_and_opens_an_athlete(conversation, seeded):
    claire = Chat(conversation, CLAIRE)
    await claire.send("/roster")
    lines = claire.text.splitlines()
    assert lines[0] == "Your athletes (3)"
    assert [line.split(" · ")[0] for line in lines[1:4]] == ["Ana", "Ben", "Chloé"]
    assert "compliance" in lines[1] and "Form" in lines[1]
    assert "⚠ 1 flag" in lines[2] and "flags" not in lines[2]  # Ben's knee
    assert [b.label for b in claire.last[0].buttons] == ["Ana", "Ben", "Chloé"]

    await claire.press("Ben")
    assert "Left knee sore" in claire.text
    for part in ("Fitness", "Fatigue", "Form", "Last sessions:", "Next workouts:", "Plan:"):
        assert part in claire.text


async def test_one_athlete_withholding_activities_shows_as_not_shared(conversation, db, seeded):
    async with db.unit_of_work() as session:
        ben = await session.scalar(select(User).where(User.name == "Ben"))
        relationship = await coaching.active_relationship_of_athlete(session, ben.id)
        assert relationship is not None, "Ben is coached by Claire"
        await coaching.set_permissions(session, ben.id, relationship.id, {"view_activities": False})
    claire = Chat(conversation, CLAIRE)
    await claire.send("/roster")
    lines = claire.text.splitlines()
    assert lines[0] == "Your athletes (3)"
    assert lines[2] == "Ben · 🔒 not shared: keeps their activities to themself"
    assert "Form" in lines[1] and "Form" in lines[3]  # Ana and Chloé as usual


async def test_athlete_by_name_shows_the_week_and_the_knee_flag(conversation, seeded):
    claire = Chat(conversation, CLAIRE)
    await claire.send("/athlete ben")
    assert claire.text.startswith("Ben · week of")
    assert "Needs attention:" in claire.text and "Left knee sore" in claire.text
    await claire.send("/athlete chloe")  # typed without the accent
    assert claire.text.startswith("Chloé · week of")
    assert "Needs attention:" not in claire.text
    await claire.send("/athlete")
    assert "Which athlete?" in claire.text


async def test_invite_code_works_with_start_and_with_coach(conversation, db, seeded):
    claire = Chat(conversation, CLAIRE)
    await claire.send("/invite")
    code = claire.text.split("Invitation code: ")[1].split(" ")[0]
    assert f"/coach {code}" in claire.text
    assert f"https://t.me/TrainlyticsBot?start={code}" in claire.text

    dan = Chat(conversation, "Dan")
    await dan.send(f"/start {code}")
    assert "coached by Coach Claire" in dan.text

    await claire.send("/invite")
    second = claire.text.split("Invitation code: ")[1].split(" ")[0]
    assert second != code
    eve = Chat(conversation, "Eve")
    await eve.send(f"/coach {second}")
    assert "coached by Coach Claire" in eve.text

    await claire.send("/roster")
    assert claire.text.splitlines()[0] == "Your athletes (5)"


async def test_without_a_bot_name_the_invitation_is_the_code_alone(db, clock, seeded):
    claire = Chat(Conversation(db, clock), CLAIRE)
    await claire.send("/invite")
    assert "Invitation code:" in claire.text and "t.me" not in claire.text


async def test_comment_reaches_ana_through_the_outbox(conversation, db, seeded):
    claire = Chat(conversation, CLAIRE)
    await claire.send('/comment Ana "Great week"')
    assert claire.text.startswith("Sent to Ana on their session")
    ana_id = seeded.athlete_ids["Ana"]
    async with db.unit_of_work() as session:
        comment = await session.scalar(select(Comment).where(Comment.body == "Great week"))
        assert comment is not None
        assert (comment.athlete_id, comment.author_id) == (ana_id, seeded.coach_id)
        assert comment.activity_id is not None
        outbox = await session.scalar(
            select(Notification).where(
                Notification.recipient_id == ana_id,
                Notification.kind == NotificationKind.COACH_COMMENT,
                Notification.idempotency_key == f"comment:{comment.id}:athlete",
            )
        )
        assert outbox is not None and outbox.payload["body"] == "Great week"

    await claire.send("/comment Ana")
    assert "/comment Ana Great week" in claire.text


async def test_digest_lists_the_athletes_needing_attention(conversation, seeded):
    claire = Chat(conversation, CLAIRE)
    await claire.send("/digest")
    assert "1 athlete needs your attention" in claire.text
    assert "Ben" in claire.text and "reported pain" in claire.text
    await claire.press("Ben")
    assert claire.text.startswith("Ben · week of")


async def test_help_has_a_coach_section_for_coaches_only(conversation, seeded):
    claire = Chat(conversation, CLAIRE)
    await claire.send("/help")
    assert "For coaches" in claire.text and "/roster" in claire.text
    ana = Chat(conversation, "Ana")
    await ana.send("/help")
    assert "For coaches" not in ana.text and "/roster" not in ana.text


async def test_a_coachs_help_refreshes_their_menu_an_athletes_does_not(db, clock, seeded):
    published: list[tuple[str, bool, str]] = []

    async def publish_menu(address, coach: bool, locale: str) -> None:
        published.append((address.platform_user_id, coach, locale))

    conversation = Conversation(db, clock, settings=ConversationSettings(publish_menu=publish_menu))
    await Chat(conversation, "Ana").send("/help")
    assert published == []
    claire = Chat(conversation, CLAIRE)
    await claire.send("/help")
    assert published == [(claire.address.platform_user_id, True, "en")]


@pytest.mark.parametrize("command", ["/roster", "/athlete Ben", "/invite", "/comment Ben hi"])
async def test_an_athlete_is_told_how_to_become_a_coach(conversation, db, command):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send(command)
    assert "is for coaches" in ana.text and "/start" in ana.text and "Coach" in ana.text
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Invitation)) == 0
        assert (await session.scalar(select(User).where(User.name == "Ana"))).role == Role.ATHLETE


async def test_a_new_coach_from_start_has_an_empty_roster_in_french(db, clock):
    zoe = Chat(Conversation(db, clock), "Zoé", language="fr")
    await zoe.send("/start")
    await zoe.press("Coach")
    await zoe.send("/roster")
    assert "Vous n'avez pas encore d'athlète" in zoe.text
    await zoe.send("/help")
    assert "Pour les coachs" in zoe.text


async def test_someone_else_s_athlete_gets_a_polite_refusal(conversation, db, clock, seeded):
    async with db.unit_of_work() as session:
        other = User(name="Coach Olga", role=Role.COACH)
        stranger = User(name="Sam", role=Role.ATHLETE)
        session.add_all([other, stranger])
        await session.flush()
        invitation = await coaching.create_invitation(session, clock, other.id)
        await coaching.accept_invitation(session, clock, stranger.id, invitation.code)
        sam_id = stranger.id

    claire = Chat(conversation, CLAIRE)
    await claire.send("/athlete Sam")
    assert claire.text == "You coach no athlete called “Sam”; your roster lists them. See /roster."
    await claire.send("/comment Sam nice run")
    assert "No athlete of yours" in claire.text
    # A forged button with Sam's id goes through core's permission check.
    await claire.request(kind=RequestKind.BUTTON, callback=cb(Scope.ROSTER, "open", sam_id))
    assert claire.text == "That athlete does not exist."  # as for an id nobody has
    assert "Sam" not in claire.text
    async with db.unit_of_work() as session:
        count = select(func.count()).select_from(Comment).where(Comment.athlete_id == sam_id)
        assert await session.scalar(count) == 0


async def test_the_console_chat_as_claire(db, clock, seeded, tmp_path):
    out = io.StringIO()
    settings = ConversationSettings(telegram_bot_username="TrainlyticsBot")
    chat = ConsoleChat(Conversation(db, clock, settings=settings), CLAIRE, out, tmp_path)
    await chat.run(["/roster", "2", "/invite", '/comment Ana "Great week"'])
    text = out.getvalue()
    assert "Your athletes (3)" in text
    assert "[1] Ana  [2] Ben  [3] Chloé" in text
    assert "Left knee sore" in text  # "2" pressed Ben
    assert "https://t.me/TrainlyticsBot?start=" in text
    assert "Sent to Ana" in text
