from datetime import date

import pytest
from sqlalchemy import func, select

from core.db.models import Notification, Workout
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.planning import workouts as planning
from core.planning.structure import describe
from core.planning.workouts import TemplateEntry, WorkoutSpec
from tests.factories import coached, person

INTERVALS = [
    {"kind": "warmup", "duration_s": 900},
    {
        "repeat": 4,
        "steps": [
            {
                "kind": "interval",
                "duration_s": 300,
                "target": {"type": "power", "low": 105, "high": 110},
            },
            {"kind": "recovery", "duration_s": 180},
        ],
    },
    {"kind": "cooldown", "duration_s": 600},
]


async def test_a_coach_plans_a_structured_workout_and_the_athlete_is_told(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        w = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 12),
            WorkoutSpec(sport="ride", title="4x5 VO2", structure=INTERVALS, key_workout=True),
        )
        assert w.planned_duration_s == 900 + 4 * 480 + 600
        # 15 min @0.6, 20 min @1.075, 12 min @0.55, 10 min @0.55 → Σ h·IF²·100
        assert w.planned_load == pytest.approx(9.0 + 38.5 + 6.05 + 5.04, abs=0.1)
        assert describe(w.structure)[1] == "4 × (5 min interval @ 105–110% power, 3 min recovery)"
        kinds = await s.scalars(
            select(Notification.kind).where(Notification.recipient_id == athlete.id)
        )
        assert "new_plan" in list(kinds)


@pytest.mark.parametrize(
    "structure, message",
    [
        ([{"kind": "interval"}], "either a duration or a distance"),
        ([{"kind": "sprint", "duration_s": 30}], "step 1"),
        ([{"repeat": 1, "steps": [{"kind": "interval", "duration_s": 60}]}], "step 1"),
        (
            [
                {
                    "kind": "interval",
                    "duration_s": 60,
                    "target": {"type": "power", "low": 120, "high": 100},
                }
            ],
            "at least target low",
        ),
        ("fast please", "list of steps"),
    ],
)
async def test_invalid_structures_are_refused_with_a_reason_and_nothing_stored(
    db, clock, structure, message
):
    async with db.unit_of_work() as s:
        athlete_id = (await person(s, "Ana")).id
    with pytest.raises(InvalidInput, match=message):
        async with db.unit_of_work() as s:
            await planning.create_workout(
                s,
                clock,
                athlete_id,
                athlete_id,
                date(2026, 3, 12),
                WorkoutSpec(sport="ride", title="x", structure=structure),
            )
    async with db.unit_of_work() as s:
        assert await s.scalar(select(func.count()).select_from(Workout)) == 0


async def test_a_coach_without_plan_permission_cannot_plan_or_move(db, clock):
    async with db.unit_of_work() as s:
        coach, stranger, athlete = (
            await person(s, "Coach"),
            await person(s, "X"),
            await person(s, "Ana"),
        )
        await coached(s, clock, coach, athlete, plan_workouts=False)
        own = await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            date(2026, 3, 12),
            WorkoutSpec(sport="run", title="Easy"),
        )
        ids = (coach.id, stranger.id, athlete.id, own.id)
    coach_id, stranger_id, athlete_id, workout_id = ids
    for actor in (coach_id, stranger_id):
        with pytest.raises(PermissionDenied):
            async with db.unit_of_work() as s:
                await planning.create_workout(
                    s,
                    clock,
                    actor,
                    athlete_id,
                    date(2026, 3, 13),
                    WorkoutSpec(sport="run", title="Hard"),
                )
        # A stranger's try reads like a workout id that does not exist.
        with pytest.raises(PermissionDenied if actor == coach_id else NotFound):
            async with db.unit_of_work() as s:
                await planning.move_workout(s, clock, actor, workout_id, date(2026, 3, 20))
    async with db.unit_of_work() as s:
        assert await s.scalar(select(func.count()).select_from(Workout)) == 1
        assert (await s.get(Workout, workout_id)).scheduled_date == date(2026, 3, 12)


async def test_move_copy_complete_and_skip(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        w = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 12),
            WorkoutSpec(sport="run", title="Tempo"),
        )
        await planning.move_workout(s, clock, athlete.id, w.id, date(2026, 3, 14))
        copy = await planning.copy_workout(s, clock, coach.id, w.id, date(2026, 3, 21))
        await planning.complete_workout(s, clock, athlete.id, w.id, rpe=7)
        await planning.skip_workout(s, clock, athlete.id, copy.id, reason="sick")
        assert (w.scheduled_date, w.status, w.rpe) == (date(2026, 3, 14), "completed", 7)
        assert copy.status == "skipped" and copy.title == "Tempo"
        with pytest.raises(InvalidInput):
            await planning.move_workout(s, clock, athlete.id, w.id, date(2026, 3, 15))
        with pytest.raises(InvalidInput):
            await planning.complete_workout(s, clock, athlete.id, copy.id, rpe=11)
        coach_kinds = list(
            await s.scalars(select(Notification.kind).where(Notification.recipient_id == coach.id))
        )
        assert "workout_completed" in coach_kinds


async def test_a_template_assigned_from_a_date_lands_on_the_right_days(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana", tz="Pacific/Auckland")
        await coached(s, clock, coach, athlete)
        template = await planning.create_template(
            s,
            coach.id,
            "Base",
            2,
            [
                TemplateEntry(
                    0, 0, WorkoutSpec(sport="ride", title="Endurance", planned_duration_s=5400)
                ),
                TemplateEntry(
                    1, 2, WorkoutSpec(sport="run", title="Tempo", structure=INTERVALS[:1])
                ),
            ],
        )
        plan = await planning.assign_template(s, clock, coach.id, template.id, athlete.id)
        # 09:00 UTC on 10 March is 22:00 in Auckland: the athlete's today is the 10th.
        assert plan.start_date == date(2026, 3, 10)
        workouts = await planning.workouts_between(
            s, coach.id, athlete.id, date(2026, 3, 1), date(2026, 4, 1)
        )
        assert [(w.scheduled_date, w.title) for w in workouts] == [
            (date(2026, 3, 10), "Endurance"),
            (date(2026, 3, 19), "Tempo"),
        ]
        with pytest.raises(InvalidInput, match="outside"):
            await planning.create_template(
                s,
                coach.id,
                "Bad",
                1,
                [
                    TemplateEntry(1, 0, WorkoutSpec(sport="run", title="x")),
                ],
            )
