"""Assigning a template twice never doubles the plan (issue 13.7), through signed Slack
requests: the same template, athlete and day again is a no-op; another plan over the
same days is only added once the coach confirms."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db.models import Notification, TrainingPlan, Workout
from core.enums import NotificationKind
from core.planning import workouts as planning
from tests.bot.slack.helpers import athlete_of, coach_id
from tests.bot.slack.test_commands import said


async def _templates(db, coach: int) -> None:
    async with db.unit_of_work() as session:
        for name, title in (("Base Week", "Easy 40'"), ("Hill Week", "Hills")):
            await planning.create_template(
                session,
                coach,
                name,
                2,
                [
                    planning.TemplateEntry(
                        week, day, planning.WorkoutSpec("run", title, planned_duration_s=2400)
                    )
                    for week in (0, 1)
                    for day in (0, 2, 4)
                ],
            )


async def _counts(db, athlete: int) -> tuple[int, int, int]:
    async with db.unit_of_work() as session:
        workouts = await session.scalar(
            select(func.count()).select_from(Workout).where(Workout.athlete_id == athlete)
        )
        plans = await session.scalar(select(func.count()).select_from(TrainingPlan))
        notices = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == NotificationKind.NEW_PLAN)
        )
        return workouts, plans, notices


async def test_the_same_assignment_twice_is_one_plan(client, db, clock) -> None:
    coach = await coach_id(db)
    athlete = await athlete_of(db, clock)
    await _templates(db, coach)
    first = said(await client.command("assign Base Week Alex Martin 2026-03-16"))
    again = said(await client.command("assign Base Week Alex Martin 2026-03-16"))
    assert "starts for Alex Martin on Mon 16 Mar (2 weeks)" in first and "Mon 16 Mar" in again
    assert await _counts(db, athlete) == (6, 1, 1)  # six workouts, one plan, one notice
    async with db.unit_of_work() as session:
        days = list(
            await session.scalars(
                select(Workout.scheduled_date).where(Workout.athlete_id == athlete)
            )
        )
    assert len(days) == len(set(days))  # never two a day


async def test_an_overlapping_plan_waits_for_the_coachs_confirmation(client, db, clock) -> None:
    coach = await coach_id(db)
    athlete = await athlete_of(db, clock)
    await _templates(db, coach)
    said(await client.command("assign Base Week Alex Martin 2026-03-16"))

    asked = said(await client.command("assign Hill Week Alex Martin 2026-03-23"))
    assert "overlaps “Base Week” (Mon 16 Mar – Fri 27 Mar)" in asked
    assert "send /trainlytics assign Hill Week Alex Martin 2026-03-23 confirm." in asked
    assert await _counts(db, athlete) == (6, 1, 1)  # nothing added

    confirmed = said(await client.command("assign Hill Week Alex Martin 2026-03-23 confirm"))
    assert "starts for Alex Martin on Mon 23 Mar" in confirmed
    assert await _counts(db, athlete) == (12, 2, 2)

    # The same template from another day overlaps its own first assignment too.
    shifted = said(await client.command("assign Base Week Alex Martin 2026-03-18"))
    assert "overlaps" in shifted
    # After the plan, a new block is no overlap.
    later = said(await client.command("assign Base Week Alex Martin 2026-04-06"))
    assert "starts for Alex Martin on Mon 06 Apr" in later
