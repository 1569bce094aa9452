"""Fitness / fatigue / form behaviour, checked as properties over many load histories."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.metrics import MetricsInputError, daily_load_array, forecast, pmc
from core.metrics.pmc import foster

loads = arrays(
    np.float64,
    st.integers(1, 200),
    elements=st.floats(0, 400, allow_nan=False, allow_infinity=False),
)


@given(st.floats(1, 500))
def test_constant_daily_load_converges_to_that_load(load):
    series = pmc(np.full(600, load))
    assert series.ctl[-1] == pytest.approx(load, rel=1e-5)
    assert series.atl[-1] == pytest.approx(load, rel=1e-9)
    assert series.tsb[-1] == pytest.approx(0.0, abs=1e-3 * load)


@given(st.floats(1, 1000))
def test_single_load_decays_with_42_and_7_day_time_constants(load):
    days = np.zeros(100)
    days[0] = load
    s = pmc(days)
    assert s.ctl[0] == pytest.approx(load * (1 - math.exp(-1 / 42)))
    assert s.atl[0] == pytest.approx(load * (1 - math.exp(-1 / 7)))
    assert s.ctl[42] / s.ctl[0] == pytest.approx(math.exp(-1))
    assert s.atl[7] / s.atl[0] == pytest.approx(math.exp(-1))


def test_simple_model_uses_one_over_tau():
    s = pmc(np.array([100.0, 0.0]), model="simple")
    assert s.ctl[0] == pytest.approx(100 / 42)
    assert s.atl[0] == pytest.approx(100 / 7)


@given(loads, st.floats(0, 150), st.floats(0, 150))
def test_form_of_a_day_uses_the_previous_days_fitness_and_fatigue(load, ctl0, atl0):
    s = pmc(load, ctl0, atl0)
    assert s.tsb[0] == pytest.approx(ctl0 - atl0)
    np.testing.assert_allclose(s.tsb[1:], s.ctl[:-1] - s.atl[:-1])
    today = pmc(load, ctl0, atl0, form_today=True)
    np.testing.assert_allclose(today.tsb, s.ctl - s.atl)


@settings(max_examples=30)
@given(st.integers(1, 6), st.integers(1, 120), st.randoms(use_true_random=False))
def test_vectorised_athletes_equal_one_athlete_at_a_time(athletes, days, rnd):
    rng = np.random.default_rng(rnd.randint(0, 2**32))
    load = rng.uniform(0, 250, (athletes, days)) * (rng.random((athletes, days)) > 0.3)
    ctl0 = rng.uniform(0, 100, athletes)
    atl0 = rng.uniform(0, 100, athletes)
    together = pmc(load, ctl0, atl0)
    for a in range(athletes):
        alone = pmc(load[a], ctl0[a], atl0[a])
        for name in ("ctl", "atl", "tsb", "ramp", "monotony", "strain"):
            np.testing.assert_allclose(
                getattr(together, name)[a], getattr(alone, name), rtol=1e-9, atol=1e-9
            )


@settings(max_examples=30)
@given(st.integers(2, 150), st.data())
def test_recompute_from_an_affected_day_matches_full_history(days, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    load = rng.uniform(0, 200, days)
    k = data.draw(st.integers(1, days - 1))
    full = pmc(load)
    tail = pmc(
        load[k:],
        full.ctl[k - 1],
        full.atl[k - 1],
        prior_load=load[:k],
        # The stored history: the seed (0) before the first day, then each day's fitness.
        prior_ctl=np.concatenate([np.zeros(7), full.ctl[:k]]),
    )
    for name in ("ctl", "atl", "tsb"):
        np.testing.assert_allclose(getattr(tail, name), getattr(full, name)[k:], atol=1e-9)
    np.testing.assert_allclose(tail.ramp, full.ramp[k:], atol=1e-9)
    np.testing.assert_allclose(tail.monotony, full.monotony[k:], atol=1e-9, equal_nan=True)


def test_ramp_rate_is_fitness_change_over_seven_days():
    s = pmc(np.full(30, 100.0))
    assert s.ramp[20] == pytest.approx(s.ctl[20] - s.ctl[13])
    assert s.ramp[2] == pytest.approx(s.ctl[2] - 0.0)  # before the series: the seed


def test_monotony_and_strain_of_an_alternating_week():
    week = np.array([100.0, 0, 100, 0, 100, 0, 100])
    monotony, strain = foster(week)
    mean = 400 / 7
    sd = math.sqrt((4 * (100 - mean) ** 2 + 3 * mean**2) / 7)  # population SD
    assert monotony[-1] == pytest.approx(mean / sd)
    assert strain[-1] == pytest.approx(400 * mean / sd)
    assert np.isnan(monotony[:6]).all()  # windows reaching before the history


def test_monotony_is_undefined_for_identical_days():
    monotony, strain = foster(np.full(14, 80.0))
    assert np.isnan(monotony).all() and np.isnan(strain).all()


def test_forecast_continues_from_the_last_day_and_rests_past_the_plan():
    history = pmc(np.full(100, 80.0))
    plan = np.array([120.0, 0.0, 90.0])
    ahead = forecast(history.last_ctl, history.last_atl, plan, days=30)
    assert ahead.ctl.shape == (30,)
    assert ahead.ctl[0] == pytest.approx(
        history.ctl[-1] * math.exp(-1 / 42) + 120 * (1 - math.exp(-1 / 42))
    )
    assert (ahead.load[3:] == 0).all()
    assert ahead.tsb[-1] > history.tsb[-1]  # a taper freshens the athlete


def test_bad_daily_load_is_refused():
    with pytest.raises(MetricsInputError):
        pmc(np.array([10.0, -5.0]))
    with pytest.raises(MetricsInputError):
        pmc(np.array([10.0, np.nan]))


def test_sessions_are_summed_into_days():
    days = daily_load_array(np.array([0, 0, 2]), np.array([50.0, 30.0, 70.0]), 4)
    np.testing.assert_allclose(days, [80.0, 0.0, 70.0, 0.0])
    with pytest.raises(MetricsInputError):
        daily_load_array(np.array([5]), np.array([1.0]), 4)
