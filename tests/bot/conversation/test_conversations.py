"""Whole conversations through the neutral layer, as an athlete would have them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.conversation import Conversation
from bot.conversation.callbacks import MAX_BYTES, Callback
from bot.conversation.types import GeoPoint, IncomingFile, Reply, Request, RequestKind
from core.coaching import comments
from core.coaching import relationships as coaching
from core.db.models import Activity, Comment, User, Workout
from core.enums import Platform
from core.people.identities import ChatAddress

FIXTURES = Path(__file__).parents[2] / "fixtures" / "activities"


class Chat:
    """One person talking to the bot; presses buttons by label."""

    def __init__(self, conversation: Conversation, name: str, language: str = "en") -> None:
        self.conversation = conversation
        self.address = ChatAddress(
            Platform.CONSOLE,
            platform_user_id=name.lower(),
            chat_id=name.lower(),
            display_name=name,
            language_code=language,
        )
        self.last: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        self.last = await self.conversation.handle(Request.parse_command(self.address, text))
        _check_buttons(self.last)
        return self.last

    async def press(self, label: str) -> list[Reply]:
        button = next(b for r in self.last for b in r.buttons if b.label == label)
        assert button.callback is not None, f"{label!r} is a link, not a button to press"
        data = Callback.parse(button.callback.pack())
        request = Request(self.address, RequestKind.BUTTON, callback=data)
        self.last = await self.conversation.handle(request)
        _check_buttons(self.last)
        return self.last

    async def request(self, **fields) -> list[Reply]:
        self.last = await self.conversation.handle(Request(self.address, **fields))
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r.plain for r in self.last)


def _check_buttons(replies: list[Reply]) -> None:
    for reply in replies:
        for button in reply.buttons:
            if button.callback:
                assert len(button.callback.pack().encode()) <= MAX_BYTES


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def onboard(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press(chat.last[-1].buttons[0].label)  # athlete
    await chat.send("Lyon")
    await chat.press(chat.last[-1].buttons[0].label)  # metric
    await chat.send("250")  # FTP
    await chat.press(chat.last[-1].buttons[0].label)  # skip LTHR
    await chat.send("4:15")  # pace
    await chat.press(chat.last[-1].buttons[1].label)  # skip the rest (CSS, heart rates, weight)


async def test_onboarding_sets_up_the_person_and_rerunning_is_safe(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    assert "All set" in ana.text
    async with db.unit_of_work() as session:
        user = await session.scalar(select(User).where(User.name == "Ana"))
        assert (user.timezone, user.units, user.onboarded) == ("Europe/Paris", "metric", True)
    await ana.send("/start")
    assert "Welcome back" in ana.text
    async with db.unit_of_work() as session:
        assert (await session.scalar(select(User).where(User.name == "Ana"))).onboarded


async def test_location_picks_nearest_city(conversation, db):
    ana = Chat(conversation, "Ana")
    await ana.send("/start")
    await ana.press(ana.last[-1].buttons[0].label)
    await ana.request(kind=RequestKind.LOCATION, location=GeoPoint(46.2, 6.15))
    assert "Geneva" in ana.text and "Europe/Zurich" in ana.text


async def test_unknown_city_is_explained(conversation):
    ana = Chat(conversation, "Ana")
    await ana.send("/start")
    await ana.press(ana.last[-1].buttons[0].label)
    await ana.send("Atlantis")
    assert "Atlantis" in ana.text


async def test_todays_card_pressed_done_then_check_in(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await _plan(db, clock, "Ana", "Tempo run")
    await ana.send("/today")
    assert "Tempo run" in ana.text
    await ana.press("Done")
    assert "marked done" in ana.text
    await ana.press("7")
    async with db.unit_of_work() as session:
        workout = await session.scalar(select(Workout).where(Workout.title == "Tempo run"))
        assert (workout.status, workout.rpe) == ("completed", 7)


async def _plan(db, clock, name: str, title: str) -> None:
    async with db.unit_of_work() as session:
        user = await session.scalar(select(User).where(User.name == name))
        session.add(
            Workout(
                athlete_id=user.id,
                sport="run",
                title=title,
                scheduled_date=clock.now().date(),
                planned_duration_s=3600,
                planned_load=60,
                structure=[],
            )
        )


async def test_quick_log_with_confirm_then_check_in(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send("/log ran 10k in 52 min yesterday rpe 6")
    assert "10.0 km" in ana.text
    await ana.press("Confirm")
    assert "Recorded" in ana.text
    await ana.press("🙂 good")
    await ana.press("No pain")
    async with db.unit_of_work() as session:
        activity = await session.scalar(select(Activity))
        assert (activity.sport, activity.distance_m, activity.rpe, activity.feel) == (
            "run",
            10000.0,
            6,
            4,
        )


async def test_unparseable_log_is_explained_not_guessed(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send("/log had a lovely day")
    assert "sport" in ana.text and "/log ran 10k" in ana.text
    assert not ana.last[-1].buttons
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Activity)) is None


async def test_fit_upload_imports_and_corrupt_file_stores_nothing(conversation, db):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    data = (FIXTURES / "cycling_power_indoor_trainer.fit").read_bytes()

    async def fetch() -> bytes:
        return data

    await ana.request(kind=RequestKind.FILE, file=IncomingFile("ride.fit", len(data), fetch))
    assert "Imported" in ana.text
    bad = (FIXTURES / "bad_truncated_eof.fit").read_bytes()

    async def fetch_bad() -> bytes:
        return bad

    await ana.request(kind=RequestKind.FILE, file=IncomingFile("bad.fit", len(bad), fetch_bad))
    assert "couldn't read" in ana.text
    await ana.request(kind=RequestKind.FILE, file=IncomingFile("huge.fit", 10**9, fetch_bad))
    assert "limit" in ana.text
    async with db.unit_of_work() as session:
        assert len(list(await session.scalars(select(Activity)))) == 1


async def test_join_coach_comment_and_reply(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    async with db.unit_of_work() as session:
        claire = User(name="Coach Claire", role="coach")
        session.add(claire)
        await session.flush()
        invitation = await coaching.create_invitation(session, clock, claire.id)
        code = invitation.code
    await ana.send(f"/coach {code}")
    assert "Coach Claire" in ana.text
    await _plan(db, clock, "Ana", "Long ride")
    from bot.conversation.notifications import build_notification_view, render_notification
    from core.db.models import Notification

    async with db.unit_of_work() as session:
        workout = await session.scalar(select(Workout))
        claire = await session.scalar(select(User).where(User.name == "Coach Claire"))
        await comments.add_comment(session, clock, claire.id, "Keep it easy", workout_id=workout.id)
        row = await session.scalar(select(Notification).where(Notification.kind == "coach_comment"))
        reply = render_notification(await build_notification_view(session, row))
    assert "Keep it easy" in reply.plain
    ana.last = [reply]
    await ana.press("Reply")
    await ana.send("Will do!")
    assert "Reply sent" in ana.text
    async with db.unit_of_work() as session:
        bodies = [c.body for c in await session.scalars(select(Comment).order_by(Comment.id))]
    assert bodies == ["Keep it easy", "Will do!"]


async def test_help_fits_two_screens(conversation):
    ana = Chat(conversation, "Ana")
    await ana.send("/help")
    first = ana.text
    await ana.press("More ▶")
    second = ana.text
    assert "/today" in first and "/settings" in second
    assert len(first.splitlines()) <= 20 and len(second.splitlines()) <= 20


async def test_the_race_example_is_a_date_ahead(conversation, clock):
    ana = Chat(conversation, "Ana")
    ahead = (clock.now().date() + timedelta(weeks=12)).isoformat()
    await ana.send("/help")
    assert f"/race {ahead}" in ana.text
    await ana.send("/race")
    assert f"/race {ahead}" in ana.text


async def test_french_person_gets_french(conversation):
    marie = Chat(conversation, "Marie", language="fr")
    await marie.send("/start")
    assert "Bienvenue" in marie.text
    await marie.send("/nope")
    assert "Je ne connais pas" in marie.text


async def test_unknown_command_and_free_text_get_help(conversation):
    ana = Chat(conversation, "Ana")
    await ana.send("/dance")
    assert "/help" in ana.text
    await ana.send("hello")  # someone new is pointed to /start (tests/bot/console)
    assert "/start" in ana.text


async def test_heavy_commands_are_rate_limited(conversation, clock):
    ana = Chat(conversation, "Ana")
    for _ in range(3):
        await ana.send("/fitness")
    await ana.send("/fitness")
    assert "try again" in ana.text
    clock.advance(timedelta(minutes=1))
    await ana.send("/fitness")
    assert "try again" not in ana.text
