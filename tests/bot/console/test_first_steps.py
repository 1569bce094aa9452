"""A brand-new person in `trainlytics chat`: "hello" points to /start, and an empty
"Rest day" tells someone with no plan and no coach how to get one."""

from __future__ import annotations

import io
from datetime import date

from bot.console.chat import ConsoleChat
from bot.conversation import Conversation
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.factories import coached, person

ONBOARDING = ["/start", "1", "Paris", "1", "2"]  # athlete, Paris, metric, skip thresholds


async def _chat(db, clock, tmp_path, name: str, lines: list[str]) -> str:
    out = io.StringIO()
    await ConsoleChat(Conversation(db, clock), name, out, tmp_path).run(lines)
    return out.getvalue()


async def test_hello_from_someone_new_says_what_this_is_and_points_to_start(
    db, clock, tmp_path
) -> None:
    said = await _chat(db, clock, tmp_path, "Noor", ["hello"])
    assert "Trainlytics" in said and "/start" in said
    after = await _chat(db, clock, tmp_path, "Noor", [*ONBOARDING, "hello"])
    answer = after.rsplit("\n\n", 2)[-2]  # the answer to the last "hello"
    assert "/log" in answer and "/start" not in answer  # set up: the usual pointer


async def test_no_plan_and_no_coach_hears_how_to_get_a_plan(db, clock, tmp_path) -> None:
    said = await _chat(db, clock, tmp_path, "Noor", [*ONBOARDING, "/today"])
    today = said.rsplit("Today,", 1)[1]
    assert "Rest day." in today
    assert "/coach CODE" in today and "/log" in today


async def test_a_coached_athlete_or_one_with_a_plan_just_rests(db, clock, tmp_path) -> None:
    async with db.unit_of_work() as s:
        coach, ana = await person(s, "Claire"), await person(s, "Ana")
        ben = await person(s, "Ben")
        ana.onboarded = ben.onboarded = True
        await coached(s, clock, coach, ana)
        await planning.create_workout(
            s, clock, ben.id, ben.id, date(2026, 3, 20), WorkoutSpec(sport="run", title="Long")
        )
    for name in ("Ana", "Ben"):
        today = (await _chat(db, clock, tmp_path, name, ["/today"])).rsplit("Today,", 1)[1]
        assert "Rest day." in today and "/coach CODE" not in today, name
