"""The athlete's weekly load chart, as the PNG Telegram would receive."""

from __future__ import annotations

import math
import threading
from datetime import date, timedelta

import numpy as np
import pytest

from core.charts import LOAD_CHART_SIZE_PX, ChartInputError, render_load_chart
from tests.charts.chart_png_checks import ink_share, pixels, png_size

TODAY = date(2026, 3, 3)


def history(
    day_count: int,
) -> tuple[list[date], list[float], list[float], list[float], list[float]]:
    days = [TODAY - timedelta(days=day_count - 1 - index) for index in range(day_count)]
    load = [max(0.0, 70 + 50 * math.sin(index / 2.5)) for index in range(day_count)]
    fitness, fatigue, form = [], [], []
    long_term = short_term = 0.0
    for value in load:
        form.append(long_term - short_term)
        long_term += (value - long_term) / 42
        short_term += (value - short_term) / 7
        fitness.append(long_term)
        fatigue.append(short_term)
    return days, load, fitness, fatigue, form


def test_twelve_weeks_with_plan_is_a_phone_sized_png_with_content() -> None:
    days, load, fitness, fatigue, form = history(84)
    planned_days = [TODAY + timedelta(days=offset) for offset in (1, 2, 4, 6, 8, 9, 13)]
    chart = render_load_chart(
        days,
        load,
        fitness,
        fatigue,
        form,
        planned_days=planned_days,
        planned_load=[60, 80, 40, 120, 60, 90, 50],
        forecast_fitness=[fitness[-1] + offset for offset in range(14)],
        forecast_fatigue=[fatigue[-1] - offset for offset in range(14)],
        forecast_form=[form[-1] + 2 * offset for offset in range(14)],
    )
    assert png_size(chart) == LOAD_CHART_SIZE_PX == (1080, 1350)
    assert ink_share(chart) > 0.05
    assert pixels(chart)[..., :3].std() > 0.05


def test_empty_history_still_gives_a_chart() -> None:
    chart = render_load_chart([], [], [], [], [])
    assert png_size(chart) == LOAD_CHART_SIZE_PX
    # Title, axes and the "No training yet" message are drawn, not a blank picture.
    assert ink_share(chart) > 0.01


def test_ten_years_of_history_renders_the_same_size_as_twelve_weeks() -> None:
    long_chart = render_load_chart(*history(3653))
    assert png_size(long_chart) == LOAD_CHART_SIZE_PX
    assert ink_share(long_chart) > 0.05


def test_only_recent_weeks_are_drawn_so_old_history_does_not_change_the_picture() -> None:
    days, load, fitness, fatigue, form = history(3653)
    recent = slice(-84, None)
    whole = render_load_chart(days, load, fitness, fatigue, form)
    last_weeks = render_load_chart(
        days[recent], load[recent], fitness[recent], fatigue[recent], form[recent]
    )
    assert np.array_equal(pixels(whole), pixels(last_weeks))


def test_rendering_twice_gives_the_same_bytes() -> None:
    series = history(84)
    first = render_load_chart(*series)
    render_load_chart(*history(10), locale="fr", title="Autre")  # a different chart between
    second = render_load_chart(*series)
    assert first == second


def test_french_chart_differs_from_english() -> None:
    series = history(84)
    assert render_load_chart(*series, locale="fr") != render_load_chart(*series, locale="en")


def test_renders_from_several_threads_are_identical() -> None:
    series = history(84)
    expected = render_load_chart(*series)
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(render_load_chart(*series)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: (s[0], s[1][:-1], *s[2:]), "load has 83 values"),
        (lambda s: (list(reversed(s[0])), *s[1:]), "strictly increasing"),
        (lambda s: (s[0], [-1.0] * 84, *s[2:]), "negative"),
        (lambda s: (s[0], s[1], [math.nan] * 84, *s[3:]), "NaN"),
    ],
)
def test_inconsistent_series_raise_a_typed_error(change, message: str) -> None:
    with pytest.raises(ChartInputError, match=message):
        render_load_chart(*change(history(84)))


def test_forecasts_of_different_lengths_are_rejected() -> None:
    with pytest.raises(ChartInputError, match="forecast_fatigue"):
        render_load_chart(*history(30), forecast_fitness=[1.0] * 14, forecast_fatigue=[1.0] * 13)
