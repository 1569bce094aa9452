"""Every real fixture imports with the sport, start, durations and distance its device wrote."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime

import numpy as np
import pytest

from core.activities.parsed import Sport
from tests.files.conftest import FIXTURES

# file, sport, start (UTC), elapsed s, moving (timer) s, distance m — from MANIFEST.md: the
# device session summary, elapsed widened to the span of the records where that is longer.
CASES = [
    (
        "cycling_power_outdoor_edge810.fit",
        Sport.RIDE,
        "2013-08-16T18:05:10",
        4700.05,
        4700.05,
        41339.38,
    ),
    ("cycling_power_indoor_trainer.fit", Sport.RIDE, "2011-11-02T12:54:19", 2263, 2261.85, None),
    (
        "cycling_power_short_pause_edge1000.fit",
        Sport.RIDE,
        "2020-06-01T14:52:40",
        126,
        93.7,
        668.19,
    ),
    (
        "cycling_power_indoor_wattbike_startstop.fit",
        Sport.RIDE,
        "2021-03-18T13:02:33",
        324.513,
        196.229,
        None,
    ),
    ("cycling_hr_only_fr935.fit", Sport.RIDE, "2020-04-18T11:10:44", 5158.557, 5158.557, 36322.85),
    ("cycling_hr_gps_coros_pace2.fit", Sport.RIDE, "2020-10-25T11:10:19", 12719, 11287, 32145.76),
    ("running_hr_gps_fenix2.fit", Sport.RUN, "2015-08-15T14:45:08", 2833, 2832, 9008.22),
    ("running_short_fenix5.fit", Sport.RUN, "2017-06-11T14:34:09", 57, 56.887, 157.56),
    ("swimming_pool_25m_fr920xt.fit", Sport.SWIM, "2015-11-02T20:13:46", 4214.561, None, 2425.0),
]


@pytest.mark.parametrize(("name", "sport", "start", "elapsed", "moving", "distance"), CASES)
def test_fixture_matches_device_summary(
    parse_fixture, name, sport, start, elapsed, moving, distance
):
    [activity] = parse_fixture(name)
    assert activity.sport is sport
    assert activity.source_format == "fit"
    assert activity.start == datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert activity.elapsed_s == pytest.approx(elapsed, abs=0.01)
    if moving is not None:
        assert activity.moving_s == pytest.approx(moving, abs=0.01)
    assert activity.distance_m == (pytest.approx(distance) if distance else None)


@pytest.mark.parametrize(("name",), [(c[0],) for c in CASES])
def test_streams_are_one_hertz_and_aligned(parse_fixture, name):
    [activity] = parse_fixture(name)
    streams = activity.streams
    assert streams is not None
    assert np.array_equal(streams.time_s, np.arange(len(streams)))
    assert streams.moving.dtype == bool
    for values in streams.channels().values():
        assert values.shape == streams.time_s.shape
        assert values.dtype == np.float64
    # moving seconds track the device timer (or active swim lengths) to a few seconds
    assert abs(int(streams.moving.sum()) - activity.moving_s) <= 20


def test_power_ride_keeps_device_summary(parse_fixture):
    [ride] = parse_fixture("cycling_power_outdoor_edge810.fit")
    assert ride.device_summary["normalized_power"] == 301
    assert ride.device_summary["intensity_factor"] == pytest.approx(0.956)
    assert ride.device_summary["training_stress_score"] == pytest.approx(118.7)
    assert ride.device_summary["threshold_power"] == 315
    assert ride.avg_power == 276
    assert ride.avg_hr == 154
    streams = ride.streams
    assert streams.power is not None and streams.lat is not None
    assert np.nanmean(streams.power) == pytest.approx(275.49, abs=0.5)
    assert 47 < np.nanmean(streams.lat) < 48  # semicircles → degrees (Seattle area)


def test_indoor_trainer_records_without_power_are_missing_not_zero(parse_fixture):
    [ride] = parse_fixture("cycling_power_indoor_trainer.fit")
    assert ride.streams.lat is None and ride.streams.speed is None
    assert np.isnan(ride.streams.power).sum() > 0
    assert ride.distance_m is None  # device wrote 0 m: no speed sensor


def test_coros_zero_power_fields_read_as_missing(parse_fixture):
    [ride] = parse_fixture("cycling_hr_gps_coros_pace2.fit")
    assert ride.streams.power is None
    assert ride.avg_power is None and ride.max_power is None
    assert "normalized_power" not in ride.device_summary
    assert "avg_power" not in ride.device_summary
    assert ride.avg_cadence is None
    # The session has no average HR; it is computed from the stream (reference: 131.94).
    assert ride.avg_hr == pytest.approx(131.94, abs=0.05)
    assert ride.max_hr == 168
    assert int(ride.streams.moving.sum()) == pytest.approx(11287, abs=15)


def test_multisport_file_splits_into_sessions(parse_fixture):
    sessions = parse_fixture("multisport_run_transition_row_fr935.fit")
    assert [s.sport for s in sessions] == [Sport.RUN, Sport.TRANSITION, Sport.ROW]
    assert [round(s.moving_s, 3) for s in sessions] == [24.593, 11.763, 23.245]
    assert [s.start.isoformat() for s in sessions] == [
        "2021-03-22T10:48:16+00:00",
        "2021-03-22T10:48:40+00:00",
        "2021-03-22T10:48:52+00:00",
    ]
    assert [s.max_hr for s in sessions] == [63, 50, 59]
    # every session only holds its own seconds
    assert [len(s.streams) for s in sessions] == [24, 12, 24]
    assert all(len(s.laps) == 1 for s in sessions)
    assert all(s.utc_offset_s == 3600 for s in sessions)


def test_pool_swim_moving_time_excludes_rest(parse_fixture):
    [swim] = parse_fixture("swimming_pool_25m_fr920xt.fit")
    active = [length for length in swim.swim_lengths if length.active]
    idle = [length for length in swim.swim_lengths if not length.active]
    assert (len(active), len(idle)) == (97, 36)
    assert swim.pool_length_m == 25
    assert swim.moving_s == pytest.approx(sum(length.elapsed_s for length in active))
    assert swim.moving_s < 3889.846  # the device timer ran through the rests
    assert 25 * len(active) == swim.distance_m
    assert active[0].stroke == "freestyle" and active[0].strokes == 13
    assert swim.sub_sport == "lap_swimming"


def test_wattbike_timer_stops_are_pauses(parse_fixture):
    [ride] = parse_fixture("cycling_power_indoor_wattbike_startstop.fit")
    assert ride.moving_s == pytest.approx(196, abs=1)
    assert ride.elapsed_s == pytest.approx(324, abs=1)
    moving = ride.streams.moving
    assert int(moving.sum()) == 196
    # timer stop_all at 13:04:09 (+96 s), start again at 13:04:22 (+109 s)
    assert moving[95] and not moving[96] and not moving[108] and moving[109]
    assert ride.sub_sport == "indoor_cycling"
    assert ride.utc_offset_s == 3600


def test_smart_recording_gaps_are_held(parse_fixture):
    [run] = parse_fixture("running_short_fenix5.fit")
    hr = run.streams.heart_rate
    # 21 records over 58 seconds: every second between records holds the previous value
    assert not np.isnan(hr).any()
    # only the last second, at the timer's final stop, is not moving
    assert run.streams.moving[:-1].all() and not run.streams.moving[-1]


def test_fenix5_records_match_published_csv(parse_fixture):
    [run] = parse_fixture("running_short_fenix5.fit")
    streams = run.streams
    with (FIXTURES / "running_short_fenix5.records.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 21
    first = None
    for row in rows:
        local = datetime.strptime(row["timestamp"].replace(" PDT", ""), "%a %b %d %H:%M:%S %Y")
        second = int((local - datetime(2017, 6, 11, 7, 34, 9)).total_seconds())
        first = first if first is not None else second
        assert streams.heart_rate[second] == float(row["heart_rate"])
        assert streams.cadence[second] == 2 * float(row["cadence"])  # steps per minute
        assert streams.speed[second] == pytest.approx(float(row["speed"]))
        assert streams.distance[second] == pytest.approx(float(row["distance"]))
        assert streams.altitude[second] == pytest.approx(float(row["altitude"]))
        assert streams.temperature[second] == float(row["temperature"])
        assert streams.lat[second] == pytest.approx(int(row["position_lat"]) * 180 / 2**31)
        assert streams.lng[second] == pytest.approx(int(row["position_long"]) * 180 / 2**31)
    assert first == 0
    assert run.utc_offset_s == -7 * 3600  # PDT, as the CSV timestamps say


def test_device_summary_has_no_zero_or_missing_values(parse_fixture):
    for name, *_ in CASES:
        for activity in parse_fixture(name):
            assert all(v > 0 and math.isfinite(v) for v in activity.device_summary.values())
