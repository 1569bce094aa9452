"""Notices say who did what, the right way round (issue 13.17).

Coach Claire invites Ana; Ana joins, moves a planned run, checks in; Claire moves a
workout back; Claire assigns a plan. Each reads her notices as the senders render them.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from bot.conversation import Conversation
from bot.conversation.notifications import build_notification_view, render_notification
from core.db.models import Notification, User, Workout
from core.planning import workouts as planning
from tests.bot.conversation.test_conversations import Chat, onboard


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def _notices(db, name: str) -> list[str]:
    async with db.unit_of_work() as session:
        user = await session.scalar(select(User).where(User.name == name))
        rows = await session.scalars(
            select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        )
        return [
            render_notification(await build_notification_view(session, row)).plain for row in rows
        ]


async def _coach_and_athlete(conversation, language: str = "en") -> Chat:
    claire = Chat(conversation, "Claire", language)
    await claire.send("/start")
    await claire.press(claire.last[-1].buttons[1].label)  # coach
    assert await claire.send("/invite")
    invite = re.search(r"\b([A-Z0-9]{8})\b", claire.text)
    assert invite is not None, "/invite shows an 8-character code"
    code = invite[1]
    ana = Chat(conversation, "Ana", language)
    await onboard(ana)
    await ana.send(f"/coach {code}")
    return ana


async def test_a_coach_reads_who_joined_and_who_moved_what(conversation, db, clock):
    ana = await _coach_and_athlete(conversation)
    async with db.unit_of_work() as session:
        coach = await session.scalar(select(User).where(User.name == "Claire"))
        athlete = await session.scalar(select(User).where(User.name == "Ana"))
        workout = await planning.create_workout(
            session,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 10),
            planning.WorkoutSpec(sport="ride", title="Recovery ride", planned_duration_s=3600),
        )
    await ana.send("/today")
    await ana.press("Move")
    await ana.press("Thu 12 Mar")
    notices = await _notices(db, "Claire")
    assert "🤝 Ana joined you: you are now their coach." in notices
    assert "📅 Ana moved “Recovery ride” from Tue 10 Mar to Thu 12 Mar." in notices

    async with db.unit_of_work() as session:
        await planning.move_workout(session, clock, coach.id, workout.id, date(2026, 3, 11))
    assert "📅 Your coach moved “Recovery ride” from Thu 12 Mar to Wed 11 Mar." in (
        await _notices(db, "Ana")
    )


async def test_check_ins_and_plans_name_who(conversation, db, clock):
    ana = await _coach_and_athlete(conversation)
    async with db.unit_of_work() as session:
        coach = await session.scalar(select(User).where(User.name == "Claire"))
        athlete = await session.scalar(select(User).where(User.name == "Ana"))
        template = await planning.create_template(
            session,
            coach.id,
            "Base",
            1,
            [
                planning.TemplateEntry(
                    0, 1, planning.WorkoutSpec("run", "Hill repeats", planned_duration_s=2400)
                )
            ],
        )
        await planning.assign_template(
            session, clock, coach.id, template.id, athlete.id, date(2026, 3, 9)
        )
        hills = await session.scalar(select(Workout).where(Workout.title == "Hill repeats"))
        assert hills.scheduled_date == date(2026, 3, 10)
    assert (
        "📅 Claire gave you a new plan, “Base”, from Mon 09 Mar: 1 workout. /week shows them."
        in await _notices(db, "Ana")
    )
    await ana.send("/today")
    await ana.press("Done")
    await ana.press("8")
    await ana.press("🙁 poor")
    await ana.press("No pain")
    assert any(
        n.startswith("✍ Ana on “Hill repeats”: RPE 8 · 🙁 poor")
        for n in await _notices(db, "Claire")
    )


async def test_in_french_too(conversation, db, clock):
    ana = await _coach_and_athlete(conversation, "fr")
    async with db.unit_of_work() as session:
        coach = await session.scalar(select(User).where(User.name == "Claire"))
        athlete = await session.scalar(select(User).where(User.name == "Ana"))
        await planning.create_workout(
            session,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 10),
            planning.WorkoutSpec(sport="ride", title="Sortie souple", planned_duration_s=3600),
        )
    await ana.send("/today")
    await ana.press("Déplacer")
    await ana.press("jeu. 12/03")
    notices = await _notices(db, "Claire")
    assert "🤝 Ana vous a rejoint : vous êtes maintenant son coach." in notices
    assert "📅 Ana a déplacé « Sortie souple » du mar. 10/03 au jeu. 12/03." in notices
