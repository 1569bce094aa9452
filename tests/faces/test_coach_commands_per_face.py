"""Once per face: the same coach commands through the console, Telegram and Slack.

Each face turns what the coach typed into the conversation's typed request (the console
directly, Telegram through its webhook on the fake Bot API, Slack through signed slash
commands on the fake Web API) and renders the same replies. So every face must show the
same data (the invitation code stored, the athlete's name, the comment stored) in the
same words (the catalogue's sentences, in the coach's language), Slack only spelling the
chat commands as its one slash command ("/trainlytics roster" for "/roster").
"""

from __future__ import annotations

import html
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.console.chat import ConsoleChat
from bot.conversation.cards import day_label
from bot.conversation.dispatcher import Conversation
from bot.conversation.handlers.coach import subject_label
from bot.slack.people import coach_for
from core.coaching import relationships as coaching
from core.db.engine import Database
from core.db.models import Activity, Comment, Invitation, User, Workout
from core.enums import Platform, Role
from core.people import identities as accounts
from core.people.identities import ChatAddress
from core.planning import workouts as planning
from core.words import say, say_n
from tests.bot.slack import conftest as slack_face
from tests.bot.slack.helpers import session_done
from tests.bot.telegram import conftest as telegram_face
from tests.factories import coached, person
from tests.fakes.slack_web_api import FakeSlackWebAPI
from tests.fakes.telegram_bot_api import FakeTelegramBotAPI
from trainlytics.web_app import build_web_app

TELEGRAM_CHAT = 901
Send = Callable[[str], Awaitable[str]]


Plan = Callable[[str, date, str, str, list[str]], Awaitable[str]]


@dataclass
class Face:
    send: Send  # the coach types a command; what they read comes back as plain text
    coach_id: int
    # The coach plans a workout for an athlete (name, day, sport, title, steps): the chat
    # faces ask the fields one message at a time, Slack collects them in its modal.
    plan: Plan
    link_key: str = "link_code"  # the face's wording of a new link code


async def _make_coach(db: Database, address: ChatAddress, locale: str) -> int:
    async with db.unit_of_work() as session:
        if address.platform == Platform.SLACK:
            user = await coach_for(session, address.workspace_id or "", address.platform_user_id)
        else:
            user, _ = await accounts.get_or_create_person(session, address)
            user.role = Role.COACH
            await coaching.ensure_coach_profile(session, user.id)
        user.locale = locale
        return user.id


async def _console(db, clock, tmp_path, locale: str) -> AsyncIterator[Face]:
    chat = ConsoleChat(Conversation(db, clock), "Claire", io.StringIO(), tmp_path)
    coach = await _make_coach(db, chat.address, locale)

    async def send(line: str) -> str:
        return "\n".join(reply.plain for reply in await chat.say(line))

    yield Face(send, coach, _asked_in_chat(send))


async def _telegram(db, clock, tmp_path, locale: str) -> AsyncIterator[Face]:
    async with FakeTelegramBotAPI() as tg:
        container = telegram_face.make_container(tg, db, clock, tmp_path)
        tg.add_chat(TELEGRAM_CHAT, first_name="Claire", language_code=locale)
        address = ChatAddress(
            Platform.TELEGRAM, str(TELEGRAM_CHAT), str(TELEGRAM_CHAT), display_name="Claire"
        )
        coach = await _make_coach(db, address, locale)
        transport = httpx.ASGITransport(app=build_web_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as http:

            async def send(line: str) -> str:
                seen = len(tg.chat_messages(TELEGRAM_CHAT))
                response = await http.post(
                    "/telegram/webhook",
                    json=tg.user_sends(TELEGRAM_CHAT, line),
                    headers={"X-Telegram-Bot-Api-Secret-Token": telegram_face.WEBHOOK_SECRET},
                )
                assert response.status_code == 200, response.text
                new = tg.chat_messages(TELEGRAM_CHAT)[seen:]
                return "\n".join(m.get("text") or m.get("caption") or "" for m in new)

            yield Face(send, coach, _asked_in_chat(send))
        await container.aclose()


async def _slack(db, clock, tmp_path, locale: str) -> AsyncIterator[Face]:
    async with FakeSlackWebAPI() as fake:
        fake.add_user(slack_face.COACH, name="coach.kim", real_name="Kim Coach")
        await slack_face._slack_tables(db)
        container = slack_face.make_container(fake, db, clock, tmp_path)
        address = ChatAddress(
            Platform.SLACK,
            slack_face.COACH,
            slack_face.COACH,
            workspace_id=slack_face.TEAM,
        )
        coach = await _make_coach(db, address, locale)
        transport = httpx.ASGITransport(app=build_web_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://s.test") as http:
            client = slack_face.SlackClient(http)

            async def send(line: str) -> str:
                response = await client.command(line.removeprefix("/"))
                assert response.status_code == 200, response.text
                # The message text is the replies' plain text, escaped once for Slack.
                shown = html.unescape(response.json().get("text", ""))
                return shown.replace("/trainlytics ", "/")

            async def plan(name: str, day: date, sport: str, title: str, steps: list[str]) -> str:
                await send(f"/plan {name}")
                opened = await fake.wait_for(lambda c: c.method == "views.open")
                values = {
                    "sport": {
                        "value": {"type": "static_select", "selected_option": {"value": sport}}
                    },
                    "date": {"value": {"type": "datepicker", "selected_date": day.isoformat()}},
                    "title": {"value": {"type": "plain_text_input", "value": title}},
                    "steps": {"value": {"type": "plain_text_input", "value": "\n".join(steps)}},
                }
                view = {**opened.params["view"], "id": "V0", "state": {"values": values}}
                submitted = await client.interact(
                    {
                        "type": "view_submission",
                        "team": {"id": slack_face.TEAM},
                        "user": {"id": slack_face.COACH, "team_id": slack_face.TEAM},
                        "api_app_id": "A0TRAINLY",
                        "view": view,
                    }
                )
                assert submitted.status_code == 200, submitted.text
                posted = await fake.wait_for(lambda c: c.method == "chat.postMessage")
                return html.unescape(posted.params["text"])

            yield Face(send, coach, plan, link_key="link_code_slack")
        await container.aclose()


def _asked_in_chat(send: Send) -> Plan:
    """/plan NAME in a chat: the day, sport and title in one answer, then the steps."""

    async def plan(name: str, day: date, sport: str, title: str, steps: list[str]) -> str:
        await send(f"/plan {name}")
        await send(f"{day.isoformat()} {sport} {title}")
        return await send("; ".join(steps))

    return plan


FACES = {"console": _console, "telegram": _telegram, "slack": _slack}


@pytest.fixture(params=sorted(FACES))
def face_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["en", "fr"])
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def face(face_name, locale, db, clock, tmp_path) -> AsyncIterator[Face]:
    async for built in FACES[face_name](db, clock, tmp_path, locale):
        yield built


def _before(sentence: str, marker: str = "\x00") -> str:
    """The words of a catalogue sentence up to where a value goes."""
    return sentence.split(marker, 1)[0]


async def test_the_same_coach_commands_give_the_same_data_and_words(
    face: Face, locale: str, db, clock
) -> None:
    t = locale
    async with db.unit_of_work() as session:
        coach = await session.get_one(User, face.coach_id)
        ana = await person(session, "Ana")
        await coached(session, clock, coach, ana)
        ana_id = ana.id
    await session_done(db, clock, ana_id, name="Easy run")

    roster = await face.send("/roster")
    assert say(t, "roster_title", count=1) in roster
    assert "Ana · " in roster and say(t, "roster_hint") in roster

    card = await face.send("/athlete ana")
    assert _before(say(t, "ath_title", name="Ana", day="\x00")) in card
    assert say(t, "ath_recent") in card and say(t, "ath_upcoming") in card

    invite = await face.send("/invite")
    async with db.unit_of_work() as session:
        code = await session.scalar(
            select(Invitation.code)
            .where(Invitation.coach_id == face.coach_id, Invitation.used_at.is_(None))
            .order_by(Invitation.id.desc())
        )
    assert code and say(t, "invite_code", code=code) in invite

    sent = await face.send("/comment Ana Bravo")
    async with db.unit_of_work() as session:
        stored = await session.scalar(select(Comment).order_by(Comment.id.desc()))
        assert stored is not None and stored.body == "Bravo" and stored.author_id == face.coach_id
        activity = await session.get_one(Activity, stored.activity_id)
        label = subject_label(t, activity)
    assert say(t, "comment_sent", name="Ana", subject=label) in sent

    digest = await face.send("/digest")
    assert say(t, "digest_none") in digest

    settings = await face.send("/settings tz Asia/Tokyo")
    assert say(t, "settings_title") in settings and "Asia/Tokyo" in settings
    async with db.unit_of_work() as session:
        assert (await session.get_one(User, face.coach_id)).timezone == "Asia/Tokyo"


async def test_the_same_planning_commands_give_the_same_data_and_words(
    face: Face, locale: str, db, clock
) -> None:
    t = locale
    async with db.unit_of_work() as session:
        coach = await session.get_one(User, face.coach_id)
        ana = await person(session, "Ana")
        await coached(session, clock, coach, ana)
        ana_id = ana.id
        today = await planning.local_today(session, clock, ana_id)
        easy = planning.WorkoutSpec("run", "Easy 40'", planned_duration_s=2400)
        await planning.create_template(
            session, face.coach_id, "Base Week", 1, [planning.TemplateEntry(0, 0, easy)]
        )
    monday = today + timedelta(days=7 - today.weekday())

    helped = await face.send("/help")
    assert say(t, "help_coach") in helped

    assigned = await face.send(f"/assign Base Week Ana {monday.isoformat()}")
    done = say_n(t, "assign_done", 1, plan="Base Week", name="Ana", day=day_label(monday, t))
    assert done in assigned
    assert say(t, "refuse_not_a_date", value="soon") in await face.send(
        "/assign Base Week Ana soon"
    )

    day = today + timedelta(days=2)
    steps = ["15min warmup", "4x(5min interval @ 105-110% power, 3min recovery)", "10min cooldown"]
    planned = await face.plan("Ana", day, "run", "Threshold", steps)
    assert say(t, "plan_done", title="Threshold", name="Ana", day=day_label(day, t)) in planned
    async with db.unit_of_work() as session:
        workout = await session.scalar(select(Workout).where(Workout.title == "Threshold"))
        assert workout is not None and workout.athlete_id == ana_id
        assert workout.scheduled_date == day and workout.structure[1]["repeat"] == 4

    later = day + timedelta(days=1)
    moved = await face.send(f"/move Ana {day.isoformat()} {later.isoformat()}")
    assert say(t, "moved", title="Threshold", day=day_label(later, t)) in moved
    async with db.unit_of_work() as session:
        assert (await session.get_one(Workout, workout.id)).scheduled_date == later

    linked = await face.send("/link")
    # The face's own wording around the code (Slack: send /link CODE on Telegram).
    wording = say(t, face.link_key, code="\x00", minutes=15, command="\x00")
    assert all(piece in linked for piece in wording.split("\x00"))
