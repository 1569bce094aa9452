"""Recording activities: files, provider copies, streams at rest, notifications, check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from core.activities.ingest.check_in_answers import record_check_in
from core.activities.ingest.edits import delete_activity, update_activity_fields
from core.activities.ingest.recording import activity_local_date, record_activity, record_file
from core.activities.ingest.scoring import recompute_after_threshold_change
from core.activities.parsed import ParsedActivity, Sport, Streams
from core.activities.streams_store import load_streams, save_streams
from core.db.models import Activity, ActivityStream, DailyLoad, Notification, Workout
from core.enums import ActivitySource, NotificationKind
from core.errors import InvalidInput
from core.files import ActivityFileError
from core.load import threshold_history as thresholds
from core.planning import workouts as planning
from core.planning.workouts import WorkoutSpec
from tests.factories import coached, person

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "activities"
EDGE810 = "cycling_power_outdoor_edge810.fit"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ride(
    start: datetime,
    seconds: int = 3600,
    *,
    watts: float | None = 200.0,
    bpm: float | None = 140.0,
    sport: Sport = Sport.RIDE,
    gps: bool = False,
) -> ParsedActivity:
    """A steady synthetic session as a provider would deliver it."""
    n = int(seconds)
    streams = Streams(
        time_s=np.arange(n, dtype=np.int64),
        moving=np.ones(n, dtype=bool),
        power=None if watts is None else np.full(n, watts),
        heart_rate=None if bpm is None else np.full(n, bpm),
        lat=np.linspace(45.0, 45.1, n) if gps else None,
        lng=np.linspace(5.0, 5.1, n) if gps else None,
    )
    return ParsedActivity(
        sport=sport,
        start=start,
        elapsed_s=float(n),
        moving_s=float(n),
        source_format="strava",
        name=f"{sport.value} at {start:%H:%M}",
        streams=streams,
    )


async def count(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


async def test_a_fit_upload_records_a_scored_activity_and_its_streams(db, clock):
    clock.set(datetime(2013, 8, 20, 8, tzinfo=UTC))
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2013, 1, 1), ftp_w=250)
        [result] = await record_file(s, clock, athlete.id, fixture(EDGE810), EDGE810)
        a = result.activity
        assert result.created and a.source == ActivitySource.FILE
        assert a.sport == "ride" and a.load_source == "power"
        assert a.load is not None and a.weighted_power is not None and a.avg_power is not None
        assert a.load > 50 and a.weighted_power > a.avg_power > 0
        assert a.local_date == date(2013, 8, 16)
        assert a.metrics["power_curve"] and a.metrics["zones"]["power"]
        assert "power" in a.data_quality["channels"]
        day = await s.scalar(
            select(DailyLoad).where(
                DailyLoad.user_id == athlete.id, DailyLoad.day == date(2013, 8, 16)
            )
        )
        assert day.load == pytest.approx(a.load) and day.fitness > 0
        stored = await load_streams(s, a.id)
        assert stored is not None and len(stored) == 4700 and stored.power is not None
        assert np.nanmax(stored.power) > 0


async def test_the_same_file_twice_is_one_activity(db, clock):
    clock.set(datetime(2013, 8, 20, 8, tzinfo=UTC))
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        [first] = await record_file(s, clock, athlete.id, fixture(EDGE810), EDGE810)
        [second] = await record_file(s, clock, athlete.id, fixture(EDGE810), "again.fit")
        assert second.activity.id == first.activity.id and not second.created
        assert await count(s, Activity) == 1


async def test_a_corrupt_file_stores_nothing(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
    with pytest.raises(ActivityFileError):
        async with db.unit_of_work() as s:
            await record_file(s, clock, athlete.id, fixture("bad_truncated_eof.fit"), "ride.fit")
    async with db.unit_of_work() as s:
        assert await count(s, Activity) == 0
        assert await count(s, ActivityStream) == 0
        assert await count(s, Notification) == 0


async def test_streams_round_trip_through_the_store_keeping_gaps(db, clock):
    n = 600
    power = np.linspace(100, 400, n)
    power[10:20] = np.nan
    streams = Streams(
        time_s=np.arange(n, dtype=np.int64),
        moving=np.r_[np.ones(300, bool), np.zeros(50, bool), np.ones(250, bool)],
        power=power,
        heart_rate=np.full(n, 151.0),
        lat=np.linspace(48.8566101, 48.8666109, n),
        lng=np.linspace(2.3522219, 2.3622231, n),
    )
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        result = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="1",
        )
        row = await save_streams(s, result.activity.id, streams)
        assert row.channels == ["power", "heart_rate", "lat", "lng"]
        # Far smaller than one JSON number per sample.
        assert len(row.data) < len(str(power.tolist()))
    async with db.unit_of_work() as s:
        back = await load_streams(s, result.activity.id)
    assert back is not None
    np.testing.assert_array_equal(back.time_s, streams.time_s)
    np.testing.assert_array_equal(back.moving, streams.moving)
    assert back.power is not None, "the power channel was stored"
    assert np.isnan(back.power[10:20]).all()
    np.testing.assert_allclose(back.power, power, rtol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(back.lat, streams.lat)  # coordinates keep full precision
    np.testing.assert_array_equal(back.lng, streams.lng)
    assert back.cadence is None and back.speed is None


async def test_a_late_evening_ride_counts_on_its_local_day_across_the_dst_change(db, clock):
    clock.set(datetime(2026, 3, 31, 8, tzinfo=UTC))
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana", tz="Europe/Paris")
        # Saturday 28 March 23:30 in Paris (UTC+1); Sunday 29 March 23:30 (UTC+2, after DST).
        before = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 28, 22, 30, tzinfo=UTC), 1200),
            source=ActivitySource.STRAVA,
            source_id="sat",
        )
        after = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 29, 21, 30, tzinfo=UTC), 1200),
            source=ActivitySource.STRAVA,
            source_id="sun",
        )
        assert before.activity.local_date == date(2026, 3, 28)
        assert after.activity.local_date == date(2026, 3, 29)
        # With a device offset (FIT local_timestamp) the activity's own clock decides.
        travelling = ride(datetime(2026, 3, 30, 3, 30, tzinfo=UTC), 1200)
        travelling.utc_offset_s = -5 * 3600
        assert activity_local_date(travelling, "Europe/Paris") == date(2026, 3, 29)


async def test_the_coach_hears_of_a_new_session_and_the_athlete_gets_a_check_in(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 1, 1), ftp_w=250)
        workout = await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            date(2026, 3, 10),
            WorkoutSpec(sport="ride", title="Endurance", planned_duration_s=3600),
        )
        # The plan estimates a steady hour at 70 % of FTP; the athlete rides exactly that.
        result = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 10, 7, tzinfo=UTC), watts=175),
            source=ActivitySource.STRAVA,
            source_id="42",
        )
        assert result.workout is not None and result.workout.id == workout.id
        to_coach = await s.scalar(
            select(Notification).where(
                Notification.recipient_id == coach.id,
                Notification.kind == NotificationKind.ACTIVITY_RECORDED,
            )
        )
        assert to_coach.payload["load"] == result.activity.load
        assert to_coach.payload["workout"]["compliance_color"] == "green"
        check_in = await s.scalar(
            select(Notification).where(
                Notification.recipient_id == athlete.id,
                Notification.kind == NotificationKind.CHECK_IN,
            )
        )
        assert check_in.payload["asks"] == ["rpe", "feel", "pain"]
        assert check_in.payload["workout"]["compliance_pct"] == workout.compliance_pct
        # The provider redelivers the event: nothing new is written.
        before = await count(s, Notification)
        again = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 10, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="42",
        )
        assert not again.created and await count(s, Notification) == before


async def test_a_backfill_does_not_flood_the_coach(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        before = await count(s, Notification)
        for k in range(5):
            await record_activity(
                s,
                clock,
                athlete.id,
                ride(datetime(2026, 2, 1 + k, 7, tzinfo=UTC)),
                source=ActivitySource.STRAVA,
                source_id=f"old{k}",
                notify=False,
            )
        assert await count(s, Activity) == 5
        assert await count(s, Notification) == before


async def test_a_provider_update_renames_without_duplicating(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        start = datetime(2026, 3, 9, 7, tzinfo=UTC)
        await record_activity(
            s, clock, athlete.id, ride(start), source=ActivitySource.STRAVA, source_id="7"
        )
        renamed = ride(start)
        renamed.name = "Col du Glandon"
        result = await record_activity(
            s,
            clock,
            athlete.id,
            renamed,
            source=ActivitySource.STRAVA,
            source_id="7",
            is_private=True,
        )
        assert not result.created
        assert result.activity.name == "Col du Glandon" and result.activity.is_private
        updated = await update_activity_fields(
            s, clock, athlete.id, ActivitySource.STRAVA, "7", sport="virtual_ride"
        )
        assert updated is not None, "the Strava activity 7 exists"
        assert updated.activity.sport == "virtual_ride"
        assert await count(s, Activity) == 1


async def test_an_edit_to_an_unknown_sport_is_refused_in_the_person_s_language(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        start = datetime(2026, 3, 9, 7, tzinfo=UTC)
        await record_activity(
            s, clock, athlete.id, ride(start), source=ActivitySource.STRAVA, source_id="7"
        )
        with pytest.raises(InvalidInput) as refused:
            await update_activity_fields(
                s, clock, athlete.id, ActivitySource.STRAVA, "7", sport="kitesurf"
            )
        assert str(refused.value) == "“kitesurf” is not a sport I know."
        assert refused.value.text("fr") == "« kitesurf » n'est pas un sport que je connais."
        stored = await s.scalar(select(Activity))
        assert stored is not None and stored.sport == "ride"


async def test_a_check_in_lands_on_the_activity_and_the_workout_and_tells_the_coach(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            date(2026, 3, 10),
            WorkoutSpec(sport="run", title="Easy run", planned_duration_s=2400),
        )
        # No thresholds and no sensors: the session has no load until the athlete rates it.
        result = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 10, 6, tzinfo=UTC), 2400, watts=None, bpm=None, sport=Sport.RUN),
            source=ActivitySource.GARMIN,
            source_id="g1",
        )
        assert result.activity.load is None
        kept = await record_check_in(
            s,
            clock,
            athlete.id,
            result.activity.id,
            rpe=7,
            feel=2,
            pain=True,
            pain_note="left knee",
        )
        workout = await s.scalar(select(Workout))
        assert (kept.rpe, kept.feel, kept.pain, kept.pain_note) == (7, 2, True, "left knee")
        assert (workout.rpe, workout.feel, workout.pain) == (7, 2, True)
        assert kept.load_source == "rpe" and kept.load == pytest.approx(40 / 60 * 7 / 8 * 100, 0.01)
        day = await s.scalar(select(DailyLoad).where(DailyLoad.day == date(2026, 3, 10)))
        assert day.load == pytest.approx(kept.load)
        note = await s.scalar(
            select(Notification).where(
                Notification.recipient_id == coach.id,
                Notification.kind == NotificationKind.CHECK_IN,
            )
        )
        assert note.payload["pain"] is True and note.payload["pain_note"] == "left knee"
        with pytest.raises(Exception, match="RPE"):
            await record_check_in(s, clock, athlete.id, kept.id, rpe=11)


async def test_deleting_an_activity_unmatches_its_workout_and_recomputes_the_day(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 1, 1), ftp_w=250)
        workout = await planning.create_workout(
            s,
            clock,
            athlete.id,
            athlete.id,
            date(2026, 3, 9),
            WorkoutSpec(sport="ride", title="Tempo", planned_duration_s=3600),
        )
        await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 9, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="9",
        )
        assert workout.status == "completed"
        deleted = await delete_activity(s, clock, athlete.id, ActivitySource.STRAVA, "9")
        assert deleted is not None and deleted.deleted_at == clock.now()
        assert workout.status == "planned" and workout.matched_activity_id is None
        assert workout.compliance_pct is None
        day = await s.scalar(select(DailyLoad).where(DailyLoad.day == date(2026, 3, 9)))
        assert day.load == 0
        # A second delete event is harmless.
        assert await delete_activity(s, clock, athlete.id, ActivitySource.STRAVA, "9") is None


async def test_a_threshold_change_rescores_the_activities_after_it(db, clock):
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 1, 1), ftp_w=200)
        early = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 2, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="early",
        )
        late = await record_activity(
            s,
            clock,
            athlete.id,
            ride(datetime(2026, 3, 8, 7, tzinfo=UTC)),
            source=ActivitySource.STRAVA,
            source_id="late",
        )
        assert early.activity.load == pytest.approx(100.0, abs=0.2)
        await thresholds.set_thresholds(s, athlete.id, athlete.id, date(2026, 3, 5), ftp_w=250)
        rescored = await recompute_after_threshold_change(s, clock, athlete.id, date(2026, 3, 5))
        assert rescored == 1
        assert early.activity.load == pytest.approx(100.0, abs=0.2)
        assert late.activity.load == pytest.approx(100 * (200 / 250) ** 2, abs=0.2)
        day = await s.scalar(select(DailyLoad).where(DailyLoad.day == date(2026, 3, 8)))
        assert day.load == pytest.approx(late.activity.load)


async def test_a_multisport_file_gives_one_activity_per_leg(db, clock):
    clock.set(datetime(2021, 3, 23, 8, tzinfo=UTC))
    name = "multisport_run_transition_row_fr935.fit"
    async with db.unit_of_work() as s:
        athlete = await person(s, "Ana")
        results = await record_file(s, clock, athlete.id, fixture(name), name)
        assert [r.activity.sport for r in results] == ["run", "transition", "row"]
        assert len({r.activity.source_id for r in results}) == 3
        assert all(not r.is_duplicate for r in results)


async def test_only_the_athlete_answers_their_check_in(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        await coached(s, clock, coach, athlete)
        result = await record_activity(
            s,
            clock,
            athlete.id,
            ride(clock.now() - timedelta(hours=3)),
            source=ActivitySource.STRAVA,
            source_id="x",
        )
        with pytest.raises(Exception, match="Only the athlete"):
            await record_check_in(s, clock, coach.id, result.activity.id, rpe=5)
