"""/calendar: the person's private calendar link, public when the server has an address."""

from __future__ import annotations

import re

from bot.conversation import Conversation, ConversationSettings
from bot.conversation.markup import to_telegram_html
from core import calendar
from tests.bot.conversation.test_conversations import Chat
from trainlytics.settings import Settings


async def _owner(db, clock, url: str) -> int | None:
    token = url.rsplit("/", 1)[1]
    async with db.unit_of_work() as session:
        owner = await calendar.resolve_token(session, clock, token)
    return owner.id if owner is not None else None


async def test_with_a_public_url_the_link_opens_this_persons_calendar(db, clock):
    settings = ConversationSettings(public_url="https://t.example", local_url="http://x:1")
    ana = Chat(Conversation(db, clock, settings=settings), "Ana")
    await ana.send("/calendar")
    url = re.search(r"https://t\.example/calendar/\S+", ana.text)
    assert url is not None
    assert await _owner(db, clock, url.group()) is not None
    assert f'href="{url.group()}"' in to_telegram_html(ana.last[0].parts[0])


async def test_without_a_public_url_the_link_points_at_this_machine_as_plain_text(db, clock):
    settings = ConversationSettings(local_url="http://127.0.0.1:8000")
    ana = Chat(Conversation(db, clock, settings=settings), "Ana")
    await ana.send("/calendar")
    url = re.search(r"http://127\.0\.0\.1:8000/calendar/\S+", ana.text)
    assert url is not None and "TRAINLYTICS_PUBLIC_URL" in ana.text
    assert "href" not in to_telegram_html(ana.last[0].parts[0])
    first = await _owner(db, clock, url.group())
    assert first is not None

    await ana.send("/calendar")  # a new link replaces the old one
    assert await _owner(db, clock, url.group()) is None


async def test_without_any_web_address_the_calendar_is_plainly_unavailable(db, clock):
    ana = Chat(Conversation(db, clock), "Ana")
    await ana.send("/calendar")
    assert "not available" in ana.text


def test_the_local_address_is_where_this_machine_reaches_the_web_role(tmp_path) -> None:
    def settings(**values: object) -> Settings:
        return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]

    assert settings().local_url == "http://127.0.0.1:8000"
    assert settings(host="0.0.0.0", port=9000).local_url == "http://127.0.0.1:9000"
    assert (
        ConversationSettings.from_settings(settings(port=8100)).local_url == "http://127.0.0.1:8100"
    )
