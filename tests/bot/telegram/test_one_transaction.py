"""Each update is handled once, in one transaction; a card sent is remembered in time."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db.models import Comment, InboundUpdate, MessageRef
from tests.bot.telegram.test_cards_and_outbox import CHAT, athlete_with_workout


async def test_a_reply_to_the_card_just_sent_becomes_a_comment_on_its_workout(
    tg, db, clock, container
) -> None:
    _, workout_id = await athlete_with_workout(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    door = container.telegram
    assert door is not None, "Telegram is set up in this container"
    await door.feed(tg.user_sends(CHAT, "/today"))
    card = next(m for m in tg.chat_messages(CHAT) if "Tempo run" in (m.get("text") or ""))

    reply = tg.user_sends(CHAT, "Legs felt heavy")
    reply["message"]["reply_to_message"] = card
    await door.feed(reply)

    async with db.unit_of_work() as session:
        comment = await session.scalar(select(Comment).where(Comment.workout_id == workout_id))
    assert comment is not None and "heavy" in comment.body


async def test_a_redelivered_today_is_answered_once_and_its_card_remembered_on_close(
    tg, db, clock, container
) -> None:
    _, workout_id = await athlete_with_workout(db, clock)
    tg.add_chat(CHAT, first_name="Ana")
    door = container.telegram
    assert door is not None, "Telegram is set up in this container"
    update = tg.user_sends(CHAT, "/today")
    await door.feed(update)
    sent = len(tg.calls_to("sendMessage"))
    await door.feed(update)
    assert len(tg.calls_to("sendMessage")) == sent

    await container.aclose()
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)) == 1
        ref = await session.scalar(select(MessageRef).where(MessageRef.chat_id == str(CHAT)))
    assert ref is not None and ref.workout_id == workout_id
