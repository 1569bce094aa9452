"""The same ride exported as FIT, TCX and GPX imports to the same workout."""

from __future__ import annotations

import numpy as np
import pytest

from core.activities.parsed import Sport

RIDE = "cycling_power_short_pause_edge1000"


def test_three_exports_agree(parse_fixture):
    [fit] = parse_fixture(f"{RIDE}.fit")
    [tcx] = parse_fixture(f"{RIDE}.tcx")
    [gpx] = parse_fixture(f"{RIDE}.gpx")
    assert (fit.source_format, tcx.source_format, gpx.source_format) == ("fit", "tcx", "gpx")
    assert fit.sport is tcx.sport is gpx.sport is Sport.RIDE
    assert fit.start == tcx.start == gpx.start
    for other in (tcx, gpx):
        assert other.elapsed_s == pytest.approx(fit.elapsed_s, abs=1)
        # the 32 s pause is found from the gap alone in the XML formats
        assert other.moving_s == pytest.approx(fit.moving_s, abs=3)
        assert other.avg_hr == pytest.approx(150, abs=1)
        n = min(len(fit.streams), len(other.streams))
        both = fit.streams.moving[:n] & other.streams.moving[:n]
        assert np.array_equal(fit.streams.heart_rate[:n][both], other.streams.heart_rate[:n][both])


def test_tcx_carries_power_and_device_distance(parse_fixture):
    [tcx] = parse_fixture(f"{RIDE}.tcx")
    assert tcx.distance_m == pytest.approx(668.19, abs=0.01)
    assert not tcx.distance_from_gps
    assert tcx.streams.power is not None
    assert len(tcx.laps) == 5
    assert tcx.avg_power == pytest.approx(149, abs=2)


def test_gpx_has_no_power_and_distance_from_positions(parse_fixture):
    [gpx] = parse_fixture(f"{RIDE}.gpx")
    assert gpx.streams.power is None
    assert gpx.avg_power is None
    assert gpx.distance_from_gps
    # GPS wander at low speed: longer than the device's 668 m (see MANIFEST)
    assert gpx.distance_m == pytest.approx(899.26, abs=0.5)
    assert gpx.streams.temperature is not None and gpx.streams.cadence is not None
    assert gpx.name == "Leiden Fietsen"
