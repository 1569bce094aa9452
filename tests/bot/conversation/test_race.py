"""/race says what its projection rests on and advises only when the plan reaches the
day (issue 13.11), reading the dates people write."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.conversation import Conversation
from core.activities import entries as activities
from core.db.models import User
from core.planning import workouts as planning
from tests.bot.conversation.test_conversations import Chat, onboard

ADVICE = ("You're fresh", "training is sinking in", "carrying fatigue", "Fatigue is high")


@pytest.fixture
def conversation(db, clock) -> Conversation:
    return Conversation(db, clock)


async def _trained_with_plan(db, clock, plan_days: int) -> None:
    """Ana: four weeks of runs behind her, a plan of `plan_days` days ahead."""
    async with db.unit_of_work() as session:
        ana = await session.scalar(select(User).where(User.name == "Ana"))
        for back in range(1, 29, 2):
            await activities.create_manual_activity(
                session,
                clock,
                ana.id,
                ana.id,
                sport="run",
                start=clock.now() - timedelta(days=back),
                duration_s=3600,
                rpe=6,
            )
        today = clock.now().date()
        for ahead in range(0, plan_days, 2):
            await planning.create_workout(
                session,
                clock,
                ana.id,
                ana.id,
                today + timedelta(days=ahead),
                planning.WorkoutSpec(
                    sport="run", title="Steady", planned_duration_s=3600, planned_load=70
                ),
            )


async def test_a_new_athlete_gets_no_numbers_and_no_advice(conversation):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send("/race 2027-03-15")
    assert "Nothing to project for 15 Mar 2027 yet" in ana.text
    assert not any(advice in ana.text for advice in ADVICE)


async def test_far_past_the_plan_the_basis_is_said_and_no_advice_given(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await _trained_with_plan(db, clock, plan_days=11)  # the last workout on 20 Mar 2026
    await ana.send("/race 2027-03-15")
    assert "On 15 Mar 2027: Fitness" in ana.text
    assert "your training so far, your plan until 20 Mar 2026, then rest" in ana.text
    assert "no advice for that day" in ana.text
    assert not any(advice in ana.text for advice in ADVICE)


async def test_within_the_plan_the_reading_comes_with_advice(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await _trained_with_plan(db, clock, plan_days=11)
    await ana.send("/race 2026-03-20")
    assert "your training so far and your plan up to that day" in ana.text
    assert any(advice in ana.text for advice in ADVICE)


@pytest.mark.parametrize("typed", ["20/03/2026", "Mar 20", "20 March", "Fri 20 Mar 2026"])
async def test_dates_as_people_write_them(conversation, db, clock, typed):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await _trained_with_plan(db, clock, plan_days=11)
    await ana.send(f"/race {typed}")
    assert "On 20 Mar 2026:" in ana.text, ana.text


async def test_french_dates_and_reading(conversation, db, clock):
    zoe = Chat(conversation, "Ana", language="fr")
    await onboard(zoe)
    await _trained_with_plan(db, clock, plan_days=11)
    await zoe.send("/race 20 mars")
    assert "Le 20 mars 2026 :" in zoe.text
    await zoe.send("/race 15 déc.")
    assert "Le 15 déc. 2026 :" in zoe.text
    assert "votre plan jusqu'au 20 mars 2026, puis de repos" in zoe.text
    await zoe.send("/race un jour")
    assert "« un jour » n'est pas une date lisible" in zoe.text


async def test_a_passed_date_is_refused(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    await ana.send(f"/race {(date(2026, 3, 1)).isoformat()}")
    assert "That date has passed" in ana.text
