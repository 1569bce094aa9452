"""Daily load and fitness/fatigue/form: incremental recompute, series, race-day forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, select

from core.activities.ingest.edits import delete_activity
from core.activities.ingest.recording import record_activity
from core.db.models import DailyLoad
from core.enums import ActivitySource
from core.errors import InvalidInput, PermissionDenied
from core.load import daily as training_load
from core.load import threshold_history as thresholds
from core.metrics import pmc
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.core.test_ingest import ride
from tests.factories import coached, person

FIELDS = ("load", "fitness", "fatigue", "form", "ramp", "monotony", "strain")


async def snapshot(s, athlete_id: int) -> dict[date, tuple]:
    rows = await s.scalars(select(DailyLoad).where(DailyLoad.user_id == athlete_id))
    return {r.day: tuple(getattr(r, f) for f in FIELDS) for r in rows}


def assert_same(a: dict[date, tuple], b: dict[date, tuple]) -> None:
    assert a.keys() == b.keys()
    for day in a:
        for x, y in zip(a[day], b[day], strict=True):
            assert (x is None and y is None) or x == pytest.approx(y, abs=1e-9), day


async def athlete_with_ftp(s):
    athlete = await person(s, "Ana", tz="Europe/Paris")
    await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2025, 1, 1), ftp_w=250)
    return athlete


async def ride_on(s, clock, athlete, day: int, watts: float, key: str, hour: int = 7, **kwargs):
    return await record_activity(
        s,
        clock,
        athlete.id,
        ride(datetime(2026, 2, day, hour, tzinfo=UTC), watts=watts),
        source=ActivitySource.STRAVA,
        source_id=key,
        **kwargs,
    )


async def test_daily_values_follow_the_pmc_of_the_kept_loads(db, clock):
    async with db.unit_of_work() as s:
        athlete = await athlete_with_ftp(s)
        for day, watts in ((2, 250), (3, 200), (3, 150), (5, 225), (9, 250)):
            # Two rides on the 3rd, morning and evening: both count.
            await ride_on(s, clock, athlete, day, watts, f"{day}-{watts}", hour=watts // 20)
        stored = await snapshot(s, athlete.id)
    first, today = date(2026, 2, 2), date(2026, 3, 10)
    assert min(stored) == first and max(stored) == today
    loads = np.zeros((today - first).days + 1)
    for day, watts in ((2, 250), (3, 200), (3, 150), (5, 225), (9, 250)):
        loads[day - 2] += round(100 * (watts / 250) ** 2, 1)
    expected = pmc(loads)
    got = [stored[first + timedelta(days=k)] for k in range(len(loads))]
    np.testing.assert_allclose([g[0] for g in got], loads)
    np.testing.assert_allclose([g[1] for g in got], expected.ctl)
    np.testing.assert_allclose([g[2] for g in got], expected.atl)
    # Form is yesterday's fitness minus yesterday's fatigue.
    assert got[1][3] == pytest.approx(got[0][1] - got[0][2])
    assert got[10][4] == pytest.approx(expected.ramp[10])
    assert got[7][5] == pytest.approx(expected.monotony[7])


async def test_a_backdated_activity_recomputes_from_its_day_like_a_full_recompute(db, clock):
    async with db.unit_of_work() as s:
        athlete = await athlete_with_ftp(s)
        for day in (2, 4, 6, 10, 12, 20):
            await ride_on(s, clock, athlete, day, 200 + day, f"r{day}")
        before = await snapshot(s, athlete.id)
        # Synced late: a ride on the 8th arrives after all the others.
        await ride_on(s, clock, athlete, 8, 260, "late")
        incremental = await snapshot(s, athlete.id)
        assert all(incremental[d] == before[d] for d in before if d < date(2026, 2, 8))
        assert incremental[date(2026, 2, 8)] != before[date(2026, 2, 8)]
        await s.execute(delete(DailyLoad).where(DailyLoad.user_id == athlete.id))
        await training_load.recompute_from(
            s, athlete.id, date(2026, 2, 2), through=date(2026, 3, 10)
        )
        full = await snapshot(s, athlete.id)
    assert_same(incremental, full)


async def test_the_recompute_starts_at_the_given_day_when_the_day_before_is_stored(db, clock):
    async with db.unit_of_work() as s:
        athlete = await athlete_with_ftp(s)
        await ride_on(s, clock, athlete, 2, 250, "a")
        written = await training_load.recompute_from(
            s, athlete.id, date(2026, 3, 1), through=date(2026, 3, 10)
        )
        assert written == 10
        # A day before any stored history starts the series at that day.
        await ride_on(s, clock, athlete, 1, 250, "b")
        assert min(await snapshot(s, athlete.id)) == date(2026, 2, 1)


async def test_duplicate_and_deleted_activities_do_not_count(db, clock):
    async with db.unit_of_work() as s:
        athlete = await athlete_with_ftp(s)
        kept = await ride_on(s, clock, athlete, 2, 250, "a")
        await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 2, 2, 7, 1, tzinfo=UTC), watts=250),
            source=ActivitySource.GARMIN,
            source_id="copy",
        )
        await ride_on(s, clock, athlete, 3, 250, "gone")
        await delete_activity(s, clock, athlete.id, ActivitySource.STRAVA, "gone")
        stored = await snapshot(s, athlete.id)
        assert stored[date(2026, 2, 2)][0] == pytest.approx(kept.activity.load)
        assert stored[date(2026, 2, 3)][0] == 0


async def test_load_series_fills_days_around_the_history(db, clock):
    async with db.unit_of_work() as s:
        athlete = await athlete_with_ftp(s)
        await ride_on(s, clock, athlete, 2, 250, "a")
        series = await training_load.load_series(
            s, athlete.id, athlete.id, date(2026, 1, 30), date(2026, 3, 15)
        )
        n_days = (date(2026, 3, 15) - date(2026, 1, 30)).days + 1
        assert len(series.days) == len(series.fitness) == n_days
        assert series.load[:3] == [0.0, 0.0, 0.0]
        assert series.load[3] == pytest.approx(100, abs=0.2)
        # After today the values decay as rest days.
        assert series.fitness[-1] < series.fitness[-6] and series.load[-1] == 0.0
        with pytest.raises(InvalidInput):
            await training_load.load_series(
                s, athlete.id, athlete.id, date(2026, 3, 15), date(2026, 3, 1)
            )


async def test_a_coach_without_view_permission_cannot_read_the_series(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete, view_activities=False)
        with pytest.raises(PermissionDenied):
            await training_load.load_series(
                s, coach.id, athlete.id, date(2026, 3, 1), date(2026, 3, 10)
            )
        stranger = await person(s, "Stranger")
        with pytest.raises(PermissionDenied):
            await training_load.forecast_to(s, clock, stranger.id, athlete.id, date(2026, 4, 1))


async def test_a_race_day_forecast_uses_the_planned_loads(db, clock):
    async with db.unit_of_work() as s:
        athlete = await athlete_with_ftp(s)
        for day in range(2, 28):
            await ride_on(s, clock, athlete, day, 225, f"d{day}", notify=False)
        race = date(2026, 3, 20)
        rest = await training_load.forecast_to(s, clock, athlete.id, athlete.id, race)
        for k in range(1, 6):
            await planning.create_workout(
                s,
                clock,
                athlete.id,
                athlete.id,
                date(2026, 3, 10) + timedelta(days=k),
                WorkoutSpec(sport="ride", title="Block", planned_duration_s=7200, planned_load=150),
            )
        built = await training_load.forecast_to(s, clock, athlete.id, athlete.id, race)
        assert built.days[0] == date(2026, 3, 10) and built.days[-1] == race
        assert built.planned_load[1:6] == [150.0] * 5
        assert built.on_target[0] > rest.on_target[0]  # more fitness on race day
        assert rest.on_target[2] > built.on_target[2]  # but fresher after resting
        with pytest.raises(InvalidInput):
            await training_load.forecast_to(s, clock, athlete.id, athlete.id, date(2026, 3, 1))
