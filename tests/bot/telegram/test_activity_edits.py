"""A session changed or deleted after it was shown: the athlete's message follows it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.activities.ingest.edits import delete_activity, update_activity_fields
from core.activities.ingest.recording import record_file
from core.enums import ActivitySource, Platform
from core.outbox.delivery import deliver_due
from core.people import identities as accounts
from core.people.identities import ChatAddress
from workers.ratelimit import MemoryTokenBuckets

CHAT = 5151
FIXTURES = Path(__file__).parents[2] / "fixtures" / "activities"


async def deliver(container, clock) -> None:
    sender = container.senders["telegram"]
    assert sender is not None
    report = await deliver_due(
        container.db, clock, {"telegram": sender}, MemoryTokenBuckets(), images={}
    )
    assert not report.errors, report.errors


def callbacks(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


async def test_the_check_in_card_is_edited_when_the_session_changes_then_marked_deleted(
    tg, db, clock, container
) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    clock.set(datetime(2017, 6, 12, 8, tzinfo=UTC))  # the day after the run: news, asked
    async with db.unit_of_work() as session:
        user, _ = await accounts.get_or_create_person(
            session,
            ChatAddress(Platform.TELEGRAM, str(CHAT), chat_id=str(CHAT), display_name="Ana"),
        )
        user.onboarded = True
        data = (FIXTURES / "running_short_fenix5.fit").read_bytes()
        [result] = await record_file(session, clock, user.id, data, "morning.fit")
        athlete_id, source_id = user.id, result.activity.source_id
    await deliver(container, clock)
    [card] = tg.chat_messages(CHAT)
    assert any(data.startswith("ci:rpe") for data in callbacks(card))
    assert card["text"].startswith("run")

    async with db.unit_of_work() as session:  # the athlete says it was a ride
        await update_activity_fields(
            session, clock, athlete_id, ActivitySource.FILE, source_id, sport="ride"
        )
    await deliver(container, clock)
    [card] = tg.chat_messages(CHAT)  # the same message, edited: nothing new was sent
    assert card["text"].startswith("ride") and "edit_date" in card
    assert any(data.startswith("ci:rpe") for data in callbacks(card))  # still answerable

    async with db.unit_of_work() as session:  # the same change again: no edit is asked
        again = await update_activity_fields(
            session, clock, athlete_id, ActivitySource.FILE, source_id, sport="ride"
        )
        assert again is not None
    edits_before = len(tg.calls_to("editMessageText"))
    await deliver(container, clock)
    assert len(tg.calls_to("editMessageText")) == edits_before

    async with db.unit_of_work() as session:
        await delete_activity(session, clock, athlete_id, ActivitySource.FILE, source_id)
    await deliver(container, clock)
    [card] = tg.chat_messages(CHAT)
    assert card["text"].startswith("ride") and card["text"].endswith("(deleted)")
    assert callbacks(card) == []  # nothing left to answer about a deleted session
    assert len(tg.sent_messages(CHAT)) == 1
