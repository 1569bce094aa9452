"""/calendar: the person's private calendar link, public when the server has an address."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.conversation import Conversation, ConversationSettings
from bot.conversation.markup import to_telegram_html
from bot.conversation.types import Text
from core.calendar import links as calendar
from core.db.models import CalendarToken, User
from core.settings import Settings
from tests.bot.conversation.test_conversations import Chat
from trainlytics.container import build_container
from trainlytics.web_app import build_web_app

SECRET = "k" * 64
NEW = "New link (the old one stops working)"


def _link(chat: Chat) -> str:
    found = re.search(r"https://t\.example/calendar/(\S+)", chat.text)
    assert found is not None, chat.text
    return found.group(1)


async def _status(container, token: str) -> tuple[int, int]:
    """What a browser and a calendar app get for this token, through the web app."""
    transport = httpx.ASGITransport(app=build_web_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="https://t.example") as client:
        page = await client.get(f"/calendar/{token}")
        feed = await client.get(f"/calendar/{token}.ics")
    return page.status_code, feed.status_code


async def test_asking_again_shows_the_same_link_and_new_link_and_turn_off_do_what_they_say(
    db, clock, tmp_path
) -> None:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        public_url="https://t.example",
        secret_key=SECRET,
        encryption_keys=Fernet.generate_key().decode(),
    )
    container = build_container(settings, clock=clock, db=db)
    ana = Chat(
        Conversation(db, clock, settings=ConversationSettings.from_settings(settings)), "Ana"
    )
    await ana.send("/calendar")
    first = _link(ana)
    assert [b.label for b in ana.last[0].buttons] == [NEW, "Turn off"]
    await ana.send("/calendar")  # a subscription already added keeps working
    assert _link(ana) == first
    assert await _status(container, first) == (200, 200)

    await ana.press(NEW)
    second = _link(ana)
    assert second != first
    assert await _status(container, first) == (404, 404)
    assert await _status(container, second) == (200, 200)
    await ana.send("/calendar")
    assert _link(ana) == second

    await ana.press("Turn off")
    assert "off" in ana.text and "/calendar" in ana.text
    assert await _status(container, second) == (404, 404)
    await ana.send("/calendar")  # a fresh link, neither of the old ones
    assert _link(ana) not in (first, second)
    assert await _status(container, first) == (404, 404)


async def test_a_link_from_before_derivation_keeps_working_and_can_be_replaced(db, clock) -> None:
    settings = ConversationSettings(public_url="https://t.example", secret_key=SECRET)
    ana = Chat(Conversation(db, clock, settings=settings), "Ana")
    await ana.send("/help")
    legacy = secrets.token_urlsafe(32)
    async with db.unit_of_work() as session:
        user_id = await session.scalar(select(User.id).where(User.name == "Ana"))
        session.add(CalendarToken(user_id=user_id, token_hash=calendar.hash_token(legacy)))
    await ana.send("/calendar")
    assert "made before links could be shown again" in ana.text
    assert await _owner(db, clock, f"x/{legacy}") == user_id  # still opens
    await ana.press(NEW)
    assert await _owner(db, clock, f"x/{legacy}") is None
    assert await _owner(db, clock, f"x/{_link(ana)}") == user_id


def test_a_leaked_database_row_does_not_give_the_link_without_the_secret_key() -> None:
    token = calendar.derive_token(SECRET, 7, 1)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert calendar.derive_token("another key", 7, 1) != token
    assert calendar.derive_token(SECRET, 7, 2) != token
    assert calendar.derive_token(SECRET, 8, 1) != token


async def _owner(db, clock, url: str) -> int | None:
    token = url.rsplit("/", 1)[1]
    async with db.unit_of_work() as session:
        owner = await calendar.resolve_token(session, clock, token)
    return owner.id if owner is not None else None


async def test_with_a_public_url_the_link_opens_this_persons_calendar(db, clock):
    settings = ConversationSettings(
        public_url="https://t.example", local_url="http://x:1", secret_key=SECRET
    )
    ana = Chat(Conversation(db, clock, settings=settings), "Ana")
    await ana.send("/calendar")
    url = re.search(r"https://t\.example/calendar/\S+", ana.text)
    assert url is not None
    assert await _owner(db, clock, url.group()) is not None
    first = ana.last[0].parts[0]
    assert isinstance(first, Text), "the link is said in words"
    assert f'href="{url.group()}"' in to_telegram_html(first)


async def test_without_a_public_url_the_link_points_at_this_machine_as_plain_text(db, clock):
    settings = ConversationSettings(local_url="http://127.0.0.1:8000", secret_key=SECRET)
    ana = Chat(Conversation(db, clock, settings=settings), "Ana")
    await ana.send("/calendar")
    url = re.search(r"http://127\.0\.0\.1:8000/calendar/\S+", ana.text)
    assert url is not None and "TRAINLYTICS_PUBLIC_URL" in ana.text
    first = ana.last[0].parts[0]
    assert isinstance(first, Text), "the address is said in words"
    assert "href" not in to_telegram_html(first)
    assert await _owner(db, clock, url.group()) is not None


async def test_without_any_web_address_the_calendar_is_plainly_unavailable(db, clock):
    ana = Chat(Conversation(db, clock), "Ana")
    await ana.send("/calendar")
    assert "not available" in ana.text


def test_the_local_address_is_where_this_machine_reaches_the_web_role(tmp_path) -> None:
    def settings(**values: Any) -> Settings:
        return Settings(_env_file=None, data_dir=tmp_path, **values)

    assert settings().local_url == "http://127.0.0.1:8000"
    assert settings(host="0.0.0.0", port=9000).local_url == "http://127.0.0.1:9000"
    assert (
        ConversationSettings.from_settings(settings(port=8100)).local_url == "http://127.0.0.1:8100"
    )
