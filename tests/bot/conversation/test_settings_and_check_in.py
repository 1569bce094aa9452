"""Reminder times and timezone in /settings (and their rescheduling), a workout check-in
reaching the coach through the outbox, and French across commands."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from bot.conversation import Conversation, ConversationSettings
from bot.conversation.notifications import build_notification_view, render_notification
from bot.conversation.types import GeoPoint, RequestKind
from core.coaching import relationships as coaching
from core.db.models import Notification, User, Workout
from tests.bot.conversation.test_conversations import Chat, _plan, onboard


@pytest.fixture
def rescheduled() -> list[int]:
    return []


@pytest.fixture
def conversation(db, clock, rescheduled) -> Conversation:
    async def reschedule(user_id: int) -> None:
        rescheduled.append(user_id)

    return Conversation(db, clock, settings=ConversationSettings(reschedule=reschedule))


async def _user(db, name: str) -> User:
    async with db.unit_of_work() as session:
        return await session.scalar(select(User).where(User.name == name))


async def test_reminder_times_change_from_settings_and_are_rescheduled(
    conversation, db, rescheduled
):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    rescheduled.clear()
    await ana.send("/settings")
    assert "morning 07:00, evening 20:00" in ana.text
    await ana.press("Reminders")
    assert "✓ 20:00" in [b.label for b in ana.last[-1].buttons]
    await ana.press("21:00")
    await ana.press("off")  # rows are evening then morning: the evening's "off"
    user = await _user(db, "Ana")
    assert (user.reminder_evening_at, user.reminder_morning_at) == (None, time(7))
    labels = [b.label for b in ana.last[-1].buttons]
    assert "✓ 07:00" in labels
    await ana.press("06:00")
    user = await _user(db, "Ana")
    assert user.reminder_morning_at == time(6)
    assert rescheduled == [user.id] * 3


async def test_timezone_from_settings_by_button_or_location_reschedules(
    conversation, db, rescheduled
):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    user = await _user(db, "Ana")
    assert rescheduled == [user.id]  # /start's timezone answer
    await ana.send("/settings")
    await ana.press("Timezone")
    await ana.press("New York")
    assert "America/New_York" in ana.text
    await ana.send("/settings")
    await ana.press("Timezone")
    await ana.request(kind=RequestKind.LOCATION, location=GeoPoint(35.68, 139.69))
    assert "Asia/Tokyo" in ana.text
    assert (await _user(db, "Ana")).timezone == "Asia/Tokyo"
    assert rescheduled == [user.id] * 3
    await ana.send("/today")  # nothing about reminders changed: no rescheduling
    assert rescheduled == [user.id] * 3


async def test_a_forged_reminder_time_is_refused_and_nothing_changes(conversation, db):
    from bot.conversation.callbacks import cb

    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.request(kind=RequestKind.BUTTON, callback=cb("st", "remind", "evening", "0330"))
    assert "not one I offer" in ana.text
    assert (await _user(db, "Ana")).reminder_evening_at == time(20)


async def test_rescheduling_failure_does_not_undo_the_saved_setting(db, clock):
    async def broken(user_id: int) -> None:
        raise ConnectionError("broker down")

    conversation = Conversation(db, clock, settings=ConversationSettings(reschedule=broken))
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send("/settings")
    await ana.press("Reminders")
    await ana.press("19:00")
    assert "19:00" in ana.text
    assert (await _user(db, "Ana")).reminder_evening_at == time(19)


async def test_workout_check_in_without_a_session_reaches_the_coach(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    async with db.unit_of_work() as session:
        claire = User(name="Coach Claire", role="coach", locale="fr")
        session.add(claire)
        await session.flush()
        code = (await coaching.create_invitation(session, clock, claire.id)).code
    await ana.send(f"/coach {code}")
    await _plan(db, clock, "Ana", "Hill repeats")
    await ana.send("/today")
    await ana.press("Done")
    await ana.press("8")
    await ana.press("🙁 poor")
    await ana.press("Yes, some pain")
    await ana.send("right achilles")
    assert "Your coach will see it" in ana.text
    async with db.unit_of_work() as session:
        workout = await session.scalar(select(Workout))
        assert (workout.rpe, workout.feel, workout.pain, workout.pain_note) == (
            8,
            2,
            True,
            "right achilles",
        )
        row = await session.scalar(select(Notification).where(Notification.kind == "check_in"))
        assert row is not None and row.recipient_id != workout.athlete_id
        reply = render_notification(await build_notification_view(session, row))
    # The coach reads it in their own language (French), under the workout's thread.
    assert "Ana" in reply.plain and "Hill repeats" in reply.plain
    assert "RPE 8" in reply.plain and "pas bien" in reply.plain and "right achilles" in reply.plain
    assert reply.thread is not None and reply.thread.workout_id == workout.id


async def test_a_french_person_reads_french_across_commands(conversation, db, clock):
    marie = Chat(conversation, "Marie", language="fr")
    await onboard(marie)
    assert "C'est prêt" in marie.text
    await _plan(db, clock, "Marie", "Seuil")
    await marie.send("/today")
    assert "Aujourd'hui" in marie.text
    assert [b.label for b in marie.last[-1].buttons] == ["Faite", "Passer", "Déplacer"]
    await marie.send("/week")
    assert "Semaine du" in marie.text and "Charge de la semaine" in marie.text
    await marie.send("/help")
    assert "Ce que je sais faire" in marie.text
    await marie.press("Suite ▶")
    assert "reprendre la configuration" in marie.text
    await marie.send("/settings")
    assert "Réglages" in marie.text and "Unités : Métrique" in marie.text
    await marie.press("Rappels")
    assert "la veille au soir" in marie.text
    assert "désactivé" in [b.label for b in marie.last[-1].buttons]
    for english in ("Today", "Week of", "What I can do", "Settings", "Reminders"):
        assert english not in marie.text
