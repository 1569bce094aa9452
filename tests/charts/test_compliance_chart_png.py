"""The coach's plan-compliance chart and its TrainingPeaks-style colour bands."""

from __future__ import annotations

import pytest

from core.charts import (
    ChartInputError,
    ComplianceBand,
    compliance_band,
    compliance_chart_size_px,
    render_compliance_chart,
)
from tests.charts.chart_png_checks import ink_share, png_size


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (100, ComplianceBand.GREEN),
        (80, ComplianceBand.GREEN),
        (120, ComplianceBand.GREEN),
        (79.4, ComplianceBand.YELLOW),
        (50, ComplianceBand.YELLOW),
        (121, ComplianceBand.YELLOW),
        (150, ComplianceBand.YELLOW),
        (49, ComplianceBand.RED),
        (151, ComplianceBand.RED),
        (0, ComplianceBand.RED),
    ],
)
def test_bands_follow_trainingpeaks_thresholds(percent: float, band: ComplianceBand) -> None:
    assert compliance_band(percent) is band


def test_chart_grows_with_the_number_of_athletes() -> None:
    names = [f"Athlete {index}" for index in range(30)]
    chart = render_compliance_chart(names, [5.0] * 30, [4.0] * 30, [80.0] * 30, unit="h")
    assert png_size(chart) == compliance_chart_size_px(30)
    assert compliance_chart_size_px(30)[1] > compliance_chart_size_px(5)[1]
    assert ink_share(chart) > 0.05


def test_athlete_without_plan_and_no_athletes_both_render() -> None:
    chart = render_compliance_chart(["Ana", "Ben"], [0, 6], [3, 6], [None, 100], locale="fr")
    assert png_size(chart) == compliance_chart_size_px(2)
    empty = render_compliance_chart([], [], [], [])
    assert png_size(empty) == compliance_chart_size_px(0)
    assert ink_share(empty) > 0.005


def test_rendering_twice_gives_the_same_bytes() -> None:
    arguments = (["Ana", "Ben", "Chloé"], [6, 8, 5], [5.5, 3, 9], [92, 37.5, 180])
    first = render_compliance_chart(*arguments)
    render_compliance_chart(["Zoé"] * 9, [1] * 9, [2] * 9, [200] * 9, locale="fr")
    assert render_compliance_chart(*arguments) == first


def test_mismatched_lengths_raise_a_typed_error() -> None:
    with pytest.raises(ChartInputError, match="completed has 1 values, expected 2"):
        render_compliance_chart(["Ana", "Ben"], [1, 2], [1], [100, 100])
    with pytest.raises(ChartInputError, match="negative"):
        render_compliance_chart(["Ana"], [1], [1], [-5])
