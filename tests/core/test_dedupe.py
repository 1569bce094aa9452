"""The same session from two providers is one activity; the athlete can choose the copy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.activities import duplicates as dedupe
from core.activities.ingest.edits import delete_activity
from core.activities.ingest.recording import record_activity
from core.activities.parsed import Sport
from core.db.models import Activity, DailyLoad, ProviderPreference
from core.enums import ActivitySource
from core.errors import PermissionDenied
from core.files import parse_activity_file
from core.load import threshold_history as thresholds
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.core.test_ingest import ride
from tests.factories import coached, person

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "activities"
SHORT_RIDE = "cycling_power_short_pause_edge1000"
RIDE_DAY = date(2020, 6, 1)


def the_ride(ext: str):
    [parsed] = parse_activity_file((FIXTURES / f"{SHORT_RIDE}.{ext}").read_bytes(), ext)
    return parsed


async def day_load(s, athlete_id: int, day: date) -> float:
    return await s.scalar(
        select(DailyLoad.load).where(DailyLoad.user_id == athlete_id, DailyLoad.day == day)
    )


async def setup_ride_day(s, clock):
    clock.set(datetime(2020, 6, 3, 8, tzinfo=UTC))
    athlete = await person(s, "Ana")
    await thresholds.set_thresholds(
        s,
        athlete.id,
        athlete.id,
        date(2020, 1, 1),
        ftp_w=250,
        lthr_bpm=165,
        max_hr_bpm=190,
        rest_hr_bpm=50,
    )
    return athlete


async def test_the_strava_and_garmin_copies_of_one_ride_are_one_activity(db, clock):
    async with db.unit_of_work() as s:
        athlete = await setup_ride_day(s, clock)
        # Strava passed on the GPX (heart rate, no power); Garmin the FIT with power.
        strava = await record_activity(
            s, clock, athlete.id, the_ride("gpx"), source=ActivitySource.STRAVA, source_id="s1"
        )
        garmin = await record_activity(
            s, clock, athlete.id, the_ride("fit"), source=ActivitySource.GARMIN, source_id="g1"
        )
        assert garmin.is_duplicate and garmin.kept.id == garmin.activity.id
        assert strava.activity.primary_activity_id == garmin.activity.id
        kept = await s.scalars(select(Activity).where(Activity.primary_activity_id.is_(None)))
        assert [a.source for a in kept] == ["garmin"]
        assert await day_load(s, athlete.id, RIDE_DAY) == pytest.approx(garmin.activity.load)
        group = await dedupe.kept_copy(s, athlete.id, strava.activity.id)
        assert group.kept.source == "garmin" and [c.source for c in group.copies] == ["strava"]


async def test_the_athletes_provider_preference_wins_over_richness(db, clock):
    async with db.unit_of_work() as s:
        athlete = await setup_ride_day(s, clock)
        s.add(ProviderPreference(user_id=athlete.id, sport="ride", provider="strava"))
        await record_activity(
            s, clock, athlete.id, the_ride("fit"), source=ActivitySource.GARMIN, source_id="g1"
        )
        strava = await record_activity(
            s, clock, athlete.id, the_ride("gpx"), source=ActivitySource.STRAVA, source_id="s1"
        )
        assert strava.kept.source == "strava"
        assert (
            await s.scalar(select(func.count()).where(Activity.primary_activity_id.is_(None))) == 1
        )


async def test_the_athlete_can_swap_the_kept_copy_and_the_workout_follows(db, clock):
    async with db.unit_of_work() as s:
        athlete = await setup_ride_day(s, clock)
        workout = await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            RIDE_DAY,
            WorkoutSpec(sport="ride", title="Openers", planned_duration_s=120),
        )
        strava = await record_activity(
            s, clock, athlete.id, the_ride("gpx"), source=ActivitySource.STRAVA, source_id="s1"
        )
        garmin = await record_activity(
            s, clock, athlete.id, the_ride("fit"), source=ActivitySource.GARMIN, source_id="g1"
        )
        assert workout.matched_activity_id == garmin.activity.id
        group = await dedupe.swap_primary(s, clock, athlete.id, strava.activity.id)
        assert group.kept.id == strava.activity.id
        assert garmin.activity.primary_activity_id == strava.activity.id
        assert workout.matched_activity_id == strava.activity.id
        assert await day_load(s, athlete.id, RIDE_DAY) == pytest.approx(strava.activity.load)
        assert strava.activity.load != garmin.activity.load  # the copies score differently


async def test_deleting_the_kept_copy_promotes_the_other(db, clock):
    async with db.unit_of_work() as s:
        athlete = await setup_ride_day(s, clock)
        workout = await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            RIDE_DAY,
            WorkoutSpec(sport="ride", title="Openers", planned_duration_s=120),
        )
        strava = await record_activity(
            s, clock, athlete.id, the_ride("gpx"), source=ActivitySource.STRAVA, source_id="s1"
        )
        await record_activity(
            s, clock, athlete.id, the_ride("fit"), source=ActivitySource.GARMIN, source_id="g1"
        )
        await delete_activity(s, clock, athlete.id, ActivitySource.GARMIN, "g1")
        assert strava.activity.primary_activity_id is None
        assert workout.status == "completed" and workout.matched_activity_id == strava.activity.id
        assert await day_load(s, athlete.id, RIDE_DAY) == pytest.approx(strava.activity.load)


async def test_sessions_that_only_look_alike_stay_apart(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        start = datetime(2026, 3, 9, 7, tzinfo=UTC)
        a = await record_activity(
            s, clock, athlete.id, ride(start), source=ActivitySource.STRAVA, source_id="ride"
        )
        # A run starting at the same minute (other family) and a ride an hour later.
        b = await record_activity(
            s,
            clock,
            athlete.id,
            ride(start, sport=Sport.RUN),
            source=ActivitySource.GARMIN,
            source_id="run",
        )
        c = await record_activity(
            s,
            clock,
            athlete.id,
            ride(start + timedelta(minutes=50)),
            source=ActivitySource.GARMIN,
            source_id="later",
        )
        assert not (a.is_duplicate or b.is_duplicate or c.is_duplicate)
        # Started 7 minutes apart but riding together for most of the hour: the same ride.
        d = await record_activity(
            s,
            clock,
            athlete.id,
            ride(start + timedelta(minutes=7), 3300),
            source=ActivitySource.POLAR,
            source_id="late-start",
        )
        assert d.is_duplicate and d.kept.id == a.activity.id


async def test_only_the_athlete_swaps_copies_and_a_coach_may_ask_which_was_kept(db, clock):
    async with db.unit_of_work() as s:
        coach = await person(s, "Coach")
        athlete = await setup_ride_day(s, clock)
        await coached(s, clock, coach, athlete)
        strava = await record_activity(
            s, clock, athlete.id, the_ride("gpx"), source=ActivitySource.STRAVA, source_id="s1"
        )
        await record_activity(
            s, clock, athlete.id, the_ride("fit"), source=ActivitySource.GARMIN, source_id="g1"
        )
        group = await dedupe.kept_copy(s, coach.id, strava.activity.id)
        assert group.kept.source == "garmin"
        with pytest.raises(PermissionDenied):
            await dedupe.swap_primary(s, clock, coach.id, strava.activity.id)
