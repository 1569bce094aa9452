"""A notification of several Telegram messages refused half-way is resumed, not repeated.

The weekly summary is its numbers (a text) then the load chart (a photo). When Telegram
answers 429 to the photo, the text has already reached the person: the retry must send
the photo only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from core import schedules
from core.activities import entries as activities
from core.db.models import Notification
from core.enums import NotificationStatus, Platform
from core.load import daily as training_load
from core.outbox.delivery import deliver_due
from core.people import identities as accounts
from core.people.identities import ChatAddress
from workers.ratelimit import MemoryTokenBuckets

CHAT = 6161
LAST_WEEK_WEDNESDAY = date(2026, 3, 4)  # the clock fixture is Tuesday 2026-03-10


async def weekly_summary_waiting(db, clock, chat_id: int = CHAT, name: str = "Ana") -> int:
    """A person who ran last Wednesday, and the weekly summary written for them."""
    async with db.unit_of_work() as session:
        user, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, str(chat_id), chat_id=str(chat_id), display_name=name),
        )
        user.timezone = "Europe/Paris"
        user.onboarded = True
        await activities.create_manual_activity(
            session,
            clock,
            user.id,
            user.id,
            sport="run",
            start=datetime.combine(LAST_WEEK_WEDNESDAY, time(7, 0), UTC),
            duration_s=3600,
            distance_m=11_000,
            rpe=5,
        )
        # The load chart is drawn from the daily loads, as after any recorded activity.
        await training_load.recompute_through_today(session, clock, user.id, LAST_WEEK_WEDNESDAY)
        row = await schedules.write_weekly_summary(session, clock, user.id)
        assert row is not None
        return row.id


async def deliver(container, clock) -> None:
    sender = container.senders["telegram"]
    assert sender is not None
    # images=None: the delivery draws the weekly chart with core.outbox.images' renderer.
    await deliver_due(container.db, clock, {"telegram": sender}, MemoryTokenBuckets())


def parts_seen(tg) -> list[str]:
    return [call.method for call in tg.sent_messages(CHAT)]


async def status_of(db, row_id: int) -> str:
    async with db.unit_of_work() as session:
        return (await session.get_one(Notification, row_id)).status


async def test_a_429_on_the_chart_resends_the_chart_only(tg, db, clock, container) -> None:
    row_id = await weekly_summary_waiting(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    tg.fail_next("sendPhoto", status=429, retry_after=1)

    await deliver(container, clock)
    assert parts_seen(tg) == ["sendMessage"]
    assert await status_of(db, row_id) == NotificationStatus.PENDING

    clock.advance(timedelta(seconds=2))
    await deliver(container, clock)
    clock.advance(timedelta(seconds=2))
    await deliver(container, clock)

    assert parts_seen(tg) == ["sendMessage", "sendPhoto"]
    text, photo = tg.sent_messages(CHAT)
    assert "11.0 km" in text.params["text"]
    assert photo.response["result"]["photo"][0]["width"] > 0  # a real PNG: the fake reads its size
    async with db.unit_of_work() as session:
        row = await session.get_one(Notification, row_id)
        assert row.status == NotificationStatus.SENT
        assert row.external_message_id == str(photo.response["result"]["message_id"])


async def test_a_429_on_the_first_part_sends_everything_once_later(
    tg, db, clock, container
) -> None:
    row_id = await weekly_summary_waiting(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    tg.fail_next("sendMessage", status=429, retry_after=1)

    await deliver(container, clock)
    assert parts_seen(tg) == []

    clock.advance(timedelta(seconds=2))
    await deliver(container, clock)
    await deliver(container, clock)

    assert parts_seen(tg) == ["sendMessage", "sendPhoto"]
    assert await status_of(db, row_id) == NotificationStatus.SENT


async def test_every_part_of_two_summaries_arrives_once_despite_429s(
    tg, db, clock, container
) -> None:
    """Two people's summaries: one chart refused twice, the other's text once."""
    first = await weekly_summary_waiting(db, clock)
    other_chat = CHAT + 1
    second = await weekly_summary_waiting(db, clock, other_chat, "Ben")
    tg.add_chat(CHAT, first_name="Ana")
    tg.add_chat(other_chat, first_name="Ben")
    tg.fail_next("sendPhoto", status=429, retry_after=1, times=2)

    for _ in range(4):
        await deliver(container, clock)
        clock.advance(timedelta(seconds=2))

    for chat in (CHAT, other_chat):
        assert [c.method for c in tg.sent_messages(chat)] == ["sendMessage", "sendPhoto"]
    async with db.unit_of_work() as session:
        statuses = set(
            await session.scalars(
                select(Notification.status).where(Notification.id.in_([first, second]))
            )
        )
    assert statuses == {NotificationStatus.SENT}
