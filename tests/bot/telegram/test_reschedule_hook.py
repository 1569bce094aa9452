"""A reminder time changed in Telegram's /settings queues one reconcile of that person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db.models import User

CHAT = 4242


@pytest.fixture
def kicked(monkeypatch, container) -> list[tuple[object, ...]]:
    """The reconcile jobs the container's queue kicks."""
    calls: list[tuple[object, ...]] = []

    async def kiq(*args: object) -> None:
        calls.append(args)

    monkeypatch.setattr(container.tasks.schedules.reconcile_schedules, "kiq", kiq)
    return calls


def _button(tg, data: str) -> int:
    """The id of the latest message in the chat carrying a button with this data."""
    for message in reversed(tg.chat_messages(CHAT)):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if any(button.get("callback_data") == data for row in rows for button in row):
            return message["message_id"]
    raise AssertionError(f"no button {data!r} in chat {CHAT}")


async def test_changing_the_evening_reminder_reconciles_that_person_once(
    tg, container, db, kicked
) -> None:
    door = container.telegram
    assert door is not None
    await door.feed(tg.user_sends(CHAT, "/settings"))
    await door.feed(tg.user_presses(CHAT, _button(tg, "st:menu:remind"), "st:menu:remind"))
    assert kicked == []  # opening the menu changes nothing
    await door.feed(
        tg.user_presses(CHAT, _button(tg, "st:remind:evening:2100"), "st:remind:evening:2100")
    )
    async with db.unit_of_work() as session:
        user = await session.scalar(select(User))
    assert user.reminder_evening_at is not None and user.reminder_evening_at.hour == 21
    assert kicked == [(user.id,)]
