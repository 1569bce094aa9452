"""Each formula on small arrays whose answer can be worked out by hand."""

import math

import numpy as np
import pytest

from core.metrics.efficiency import decoupling_pct, efficiency_factor
from core.metrics.heart_rate import average_hr, banister_trimp, edwards_trimp, hr_load
from core.metrics.pace import best_efforts, grade_cost_factor, normalised_speed
from core.metrics.power import (
    has_power,
    intensity,
    power_curve,
    power_load,
    variability_index,
    weighted_power,
)
from core.metrics.zones import POWER_ZONES, seconds_in_zones, time_in_zones


def test_steady_power_has_weighted_power_equal_to_average():
    assert weighted_power(np.full(3600, 250.0)) == pytest.approx(250.0)


def test_weighted_power_uses_full_30_s_windows_and_fourth_powers():
    p = np.array([0.0] * 30 + [300.0] * 30)
    # Window k (k = 0..30) averages 30 − k zeros and k samples of 300 W.
    means = [300.0 * k / 30 for k in range(31)]
    expected = (sum(a**4 for a in means) / 31) ** 0.25
    assert weighted_power(p) == pytest.approx(expected)
    assert expected > p.mean()  # surges weigh more than their average


def test_weighted_power_needs_30_active_seconds():
    assert weighted_power(np.full(29, 300.0)) is None
    assert weighted_power(np.full(30, 300.0)) == pytest.approx(300.0)


def test_missing_power_samples_count_as_zero_watts():
    with_gaps = np.array([200.0, np.nan] * 30)
    as_zeros = np.array([200.0, 0.0] * 30)
    assert weighted_power(with_gaps) == pytest.approx(weighted_power(as_zeros))


def test_one_hour_at_ftp_is_100_and_load_grows_with_intensity_squared():
    assert power_load(3600, 250.0, 250.0) == pytest.approx(100.0)
    assert power_load(1800, 225.0, 250.0) == pytest.approx(0.5 * 0.81 * 100)
    assert intensity(225.0, 250.0) == pytest.approx(0.9)
    assert power_load(3600, 250.0, None) is None
    assert intensity(None, 250.0) is None


def test_variability_index_is_weighted_over_average_power():
    assert variability_index(300.0, 250.0) == pytest.approx(1.2)
    assert variability_index(None, 250.0) is None
    assert variability_index(300.0, 0.0) is None


def test_power_curve_reports_best_mean_for_each_duration_that_fits():
    p = np.array([100.0] * 20 + [400.0, 500.0, 600.0, 500.0, 400.0] + [100.0] * 20)
    curve = power_curve(p)
    assert curve[1] == 600.0
    assert curve[5] == pytest.approx(480.0)
    assert curve[30] == pytest.approx((2400 + 25 * 100) / 30)
    assert 60 not in curve  # the ride is 45 s long


def test_power_channel_of_zeros_is_no_power():
    assert not has_power(np.zeros(100))
    assert not has_power(np.full(10, np.nan))
    assert not has_power(None)
    assert has_power(np.array([0.0, np.nan, 5.0]))


def test_banister_trimp_at_max_hr_for_an_hour_is_0_64_e_k_per_minute():
    hr = np.full(3600, 190.0)
    assert banister_trimp(hr, 50, 190, 1.92) == pytest.approx(60 * 0.64 * math.exp(1.92))
    assert banister_trimp(hr, 50, 190, 1.67) == pytest.approx(60 * 0.64 * math.exp(1.67))


def test_trimp_clips_above_max_and_below_rest_and_skips_missing_seconds():
    hr = np.array([250.0] * 60 + [30.0] * 60 + [np.nan] * 60)
    assert banister_trimp(hr, 50, 190, 1.92) == pytest.approx(0.64 * math.exp(1.92))
    assert banister_trimp(np.full(5, np.nan), 50, 190, 1.92) is None


def test_hr_load_of_an_hour_at_threshold_hr_is_100():
    trimp = banister_trimp(np.full(3600, 170.0), 50, 190, 1.92)
    assert hr_load(trimp, 170, 50, 190, 1.92) == pytest.approx(100.0)
    half_hour = banister_trimp(np.full(1800, 170.0), 50, 190, 1.92)
    assert hr_load(half_hour, 170, 50, 190, 1.92) == pytest.approx(50.0)


def test_edwards_trimp_weights_minutes_by_band_of_max_hr():
    max_hr = 200.0
    hr = np.concatenate(
        [
            np.full(600, 90.0),  # 45 %: counts 0
            np.full(600, 120.0),  # exactly 60 %: upper band, ×2
            np.full(600, 190.0),  # 95 %: ×5
            np.full(60, np.nan),  # no HR: skipped
        ]
    )
    assert edwards_trimp(hr, max_hr) == pytest.approx(10 * 2 + 10 * 5)


def test_average_hr_ignores_dropouts():
    assert average_hr(np.array([150.0, 0.0, np.nan, 160.0])) == pytest.approx(155.0)
    assert average_hr(np.array([np.nan])) is None


def test_zone_boundary_belongs_to_upper_zone_and_missing_is_in_no_zone():
    ftp = 200.0
    p = np.array([109.0, 110.0, 150.0, 300.0, 301.0, np.nan])
    rows = time_in_zones(p, POWER_ZONES, ftp)
    by_zone = {r["zone"]: r["seconds"] for r in rows}
    assert rows[1]["min"] == 110.0  # round(0.55 × 200)
    # 110 W = 55 % opens Z2, 150 W = 75 % opens Z3, 300 W = 150 % opens Z7.
    assert by_zone == {"Z1": 1, "Z2": 1, "Z3": 1, "Z4": 0, "Z5": 0, "Z6": 0, "Z7": 2}
    assert rows[-1]["max"] is None


def test_seconds_in_zones_sum_to_the_samples_present():
    values = np.array([0.0, 1.0, 2.0, 3.0, np.nan])
    assert seconds_in_zones(values, [0.0, 1.5, 2.5]) == [2, 1, 1]


def test_grade_cost_is_one_on_the_flat_and_higher_uphill():
    factors = grade_cost_factor(np.array([0.0, 0.05, -0.05, 0.10]))
    assert factors[0] == pytest.approx(1.0)
    assert factors[1] > 1.0 > factors[2]
    assert factors[3] > factors[1]


def test_normalised_speed_of_steady_running_is_that_speed():
    assert normalised_speed(np.full(600, 4.0)) == pytest.approx(4.0)


def test_best_efforts_at_steady_4_m_s():
    distance = np.arange(0, 3001, dtype=np.float64) * 4.0  # 12 km in 3000 s
    efforts = best_efforts(distance)
    assert efforts["400m"] == pytest.approx(100.0)
    assert efforts["1km"] == pytest.approx(250.0)
    assert efforts["1mile"] == pytest.approx(1609.344 / 4)
    assert efforts["10km"] == pytest.approx(2500.0)
    assert "half_marathon" not in efforts


def test_best_effort_finds_the_fast_kilometre_inside_a_slow_run():
    speed = np.array([3.0] * 1000 + [5.0] * 200 + [3.0] * 1000)
    distance = np.concatenate([[0.0], np.cumsum(speed)])
    assert best_efforts(distance)["1km"] == pytest.approx(200.0)


def test_efficiency_and_decoupling():
    assert efficiency_factor(300.0, 150.0) == pytest.approx(2.0)
    assert efficiency_factor(300.0, None) is None
    # Same power, HR up 5 % in the second half: ratio falls by 1 − 1/1.05.
    assert decoupling_pct(200.0, 140.0, 200.0, 147.0) == pytest.approx((1 - 1 / 1.05) * 100)
    assert decoupling_pct(200.0, None, 200.0, 147.0) is None
