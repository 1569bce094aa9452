"""Metrics on real recordings, checked against what the recording devices computed."""

from pathlib import Path

import pytest

from core.activities.parsed import ParsedActivity
from core.files import parse_activity_file
from core.metrics import Thresholds, compute_activity_metrics

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "activities"


def with_hr(ftp_w: float | None = None) -> Thresholds:
    """The rider's heart-rate thresholds, with `ftp_w` when the test scores power."""
    return Thresholds(ftp_w=ftp_w, lthr_bpm=170.0, max_hr_bpm=190.0, rest_hr_bpm=50.0)


def load(name: str) -> list[ParsedActivity]:
    return parse_activity_file((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize(
    ("name", "ftp", "device_weighted", "device_load"),
    [
        ("cycling_power_outdoor_edge810.fit", 315.0, 301.0, 118.7),
        ("cycling_power_indoor_trainer.fit", 250.0, 228.0, 50.8),
    ],
)
def test_weighted_power_and_load_agree_with_the_head_unit(name, ftp, device_weighted, device_load):
    (ride,) = load(name)
    assert ride.device_summary["threshold_power"] == ftp  # the device's own threshold
    m = compute_activity_metrics(ride, with_hr(ftp))
    assert m.load_source == "power"
    assert m.weighted_power == pytest.approx(device_weighted, rel=0.01)
    assert m.load == pytest.approx(device_load, rel=0.03)
    assert m.intensity == pytest.approx(m.weighted_power / ftp)


def test_fit_and_tcx_exports_of_one_ride_give_the_same_metrics():
    th = with_hr(200.0)
    (fit,) = load("cycling_power_short_pause_edge1000.fit")
    (tcx,) = load("cycling_power_short_pause_edge1000.tcx")
    a, b = compute_activity_metrics(fit, th), compute_activity_metrics(tcx, th)
    assert a.load_source == b.load_source == "power"
    assert a.weighted_power == pytest.approx(b.weighted_power, rel=0.01)
    assert a.avg_power == pytest.approx(b.avg_power, rel=0.02)
    assert a.load == pytest.approx(b.load, rel=0.03)
    assert a.avg_hr == pytest.approx(b.avg_hr, rel=0.01)
    assert a.active_s < a.elapsed_s  # the pause is not counted


def test_gpx_without_power_falls_back_to_heart_rate_load():
    (gpx,) = load("cycling_power_short_pause_edge1000.gpx")
    m = compute_activity_metrics(gpx, with_hr(200.0))
    assert m.weighted_power is None and m.power_curve == {}
    assert m.load_source == "hr"
    assert m.load == pytest.approx(1.7, abs=0.05)  # reference hrTSS for this ride


def test_coros_zero_power_fields_give_no_power_metrics_and_hr_load():
    (ride,) = load("cycling_hr_gps_coros_pace2.fit")
    m = compute_activity_metrics(ride, with_hr(250.0))
    assert m.weighted_power is None and m.avg_power is None
    assert m.zones["power"] is None
    assert m.load_source == "hr"
    # Reference TRIMP / hrTSS over the ~3 h 8 min of riding (pauses removed).
    assert m.trimp == pytest.approx(193.25, rel=0.01)
    assert m.load == pytest.approx(113.24, rel=0.01)
    assert m.active_s < ride.elapsed_s - 20 * 60


def test_hr_only_ride_scores_from_heart_rate():
    (ride,) = load("cycling_hr_only_fr935.fit")
    m = compute_activity_metrics(ride, with_hr())
    assert m.load_source == "hr"
    assert m.load == pytest.approx(57.13, rel=0.01)
    assert m.avg_hr == pytest.approx(130.3, abs=0.5)


def test_swim_load_uses_active_swimming_time_not_rest():
    (swim,) = load("swimming_pool_25m_fr920xt.fit")
    m = compute_activity_metrics(swim, Thresholds(css_s_per_100m=100.0))
    assert m.load_source == "swim_pace"
    assert m.swim_active_s == pytest.approx(3055, abs=5)
    assert m.swim_idle_s is not None and m.swim_idle_s > 10 * 60
    # metrics.md §6: 3055 s active at CSS 1.0 m/s → 42.4 (26.2 if rest were counted).
    assert m.load == pytest.approx(42.4, abs=0.3)


def test_run_gets_pace_load_when_there_is_no_heart_rate_threshold():
    (run,) = load("running_hr_gps_fenix2.fit")
    m = compute_activity_metrics(run, Thresholds(threshold_pace_s_per_km=270.0))
    assert m.load_source == "pace_gap"
    assert m.load is not None and 40 < m.load < 100
    assert m.best_efforts["5km"] < m.active_s
    assert "10km" not in m.best_efforts  # the run is 9 km
    assert m.zones["pace"] is not None


def test_manual_rpe_is_the_last_resort():
    (run,) = load("running_hr_gps_fenix2.fit")
    m = compute_activity_metrics(run, Thresholds(), rpe=6)
    assert m.load_source == "rpe"
    assert m.load == pytest.approx(run.moving_s / 3600 * 6 / 8 * 100)
