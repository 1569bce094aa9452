"""A coach makes a planned workout shorter ("reduce 20 %") or longer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.db.models import Notification, Workout
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
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


async def planned(s, clock, coach, athlete, **spec) -> Workout:
    return await planning.create_workout(
        s,
        clock,
        coach.id,
        athlete.id,
        date(2026, 3, 12),
        WorkoutSpec(sport="run", title="4x5 threshold", structure=INTERVALS, **spec),
    )


async def test_reducing_by_20_percent_scales_steps_totals_and_load_and_tells_the_athlete(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        w = await planned(s, clock, coach, athlete, planned_distance_m=10000)
        assert w.planned_duration_s is not None and w.planned_load is not None, "from its steps"
        before = (w.planned_duration_s, w.planned_distance_m, w.planned_load)
        scaled = await planning.scale_workout(s, clock, coach.id, w.id, 0.8)
        assert scaled.structure[0]["duration_s"] == 720
        interval, recovery = scaled.structure[1]["steps"]
        assert interval["duration_s"] == 240 and recovery["duration_s"] == 144
        assert (interval["target"]["low"], interval["target"]["high"]) == (105, 110)
        assert scaled.structure[1]["repeat"] == 4
        assert scaled.planned_duration_s == pytest.approx(before[0] * 0.8, abs=0.1)
        assert scaled.planned_distance_m == pytest.approx(8000)
        assert scaled.planned_load == pytest.approx(before[2] * 0.8, abs=0.1)
        told = list(
            await s.scalars(
                select(Notification).where(
                    Notification.recipient_id == athlete.id,
                    Notification.kind == "workout_changed",
                )
            )
        )
        assert [n.payload["scaled_pct"] for n in told] == [80]
        assert told[0].idempotency_key.startswith(f"workout:{w.id}:scaled:")

        track = await planning.create_workout(
            s,
            clock,
            coach.id,
            athlete.id,
            date(2026, 3, 13),
            WorkoutSpec(
                sport="run", title="Track", structure=[{"kind": "interval", "distance_m": 1000}]
            ),
        )
        longer = await planning.scale_workout(s, clock, coach.id, track.id, 1.5)
        assert longer.structure[0]["distance_m"] == 1500
        assert longer.planned_distance_m == pytest.approx(1500)


async def test_scaling_is_refused_for_done_workouts_odd_factors_and_coaches_without_plan_rights(
    db, clock
):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        viewer, other = await person(s, "Viewer"), await person(s, "Ben")
        await coached(s, clock, coach, athlete)
        await coached(s, clock, viewer, other, plan_workouts=False)
        w = await planned(s, clock, coach, athlete)
        theirs = await planned(s, clock, other, other)
        for factor in (0.05, 2.5, 0.0, -1.0):
            with pytest.raises(InvalidInput):
                await planning.scale_workout(s, clock, coach.id, w.id, factor)
        with pytest.raises(PermissionDenied):
            await planning.scale_workout(s, clock, viewer.id, theirs.id, 0.8)
        with pytest.raises(NotFound):  # not their athlete: like a workout that never was
            await planning.scale_workout(s, clock, coach.id, theirs.id, 0.8)
        await planning.complete_workout(s, clock, athlete.id, w.id)
        with pytest.raises(InvalidInput, match="already done"):
            await planning.scale_workout(s, clock, coach.id, w.id, 0.8)
        assert w.structure[0]["duration_s"] == 900
