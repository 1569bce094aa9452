"""Coach's plan-compliance chart: one horizontal bar per athlete, coloured by band.

Bands follow TrainingPeaks' convention that coaches already read: completed within
±20 % of planned is green, 50–79 % or 121–150 % yellow, anything else red.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from core.charts import style
from core.charts.errors import ChartInputError
from core.charts.figure_pool import render_png
from core.charts.locale_names import ChartLocale, chart_locale
from core.charts.series import optional_percent

COMPLIANCE_CHART_WIDTH_PX = 1080
_ROW_PX = 90
_TOP_PX = 130
_BOTTOM_PX = 150
_MIN_HEIGHT_PX = 720
# Telegram rejects photos whose width + height exceeds 10 000 px; this leaves headroom.
_MAX_HEIGHT_PX = 4800
_AXIS_MAX_PCT = 200.0
_NAME_CHARS = 16
_PERCENT_TICKS = (0, 50, 100, 150, 200)
_BAR_HEIGHT = 0.62
_LEFT_FRACTION = 0.30
_RIGHT_FRACTION = 0.93


class ComplianceBand(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


_BAND_COLOURS = {
    ComplianceBand.GREEN: style.GREEN,
    ComplianceBand.YELLOW: style.YELLOW,
    ComplianceBand.RED: style.RED,
}
_BACKGROUND_BANDS = (
    (0, 50, style.RED_BAND),
    (50, 80, style.YELLOW_BAND),
    (80, 120, style.GREEN_BAND),
    (120, 150, style.YELLOW_BAND),
    (150, _AXIS_MAX_PCT, style.RED_BAND),
)


def compliance_band(percent: float) -> ComplianceBand:
    """Band of a completed/planned percentage, rounded to a whole percent first."""
    whole = round(percent)
    if 80 <= whole <= 120:
        return ComplianceBand.GREEN
    if 50 <= whole <= 150:
        return ComplianceBand.YELLOW
    return ComplianceBand.RED


def compliance_chart_size_px(athlete_count: int) -> tuple[int, int]:
    """Pixel size of the chart for `athlete_count` rows: fixed width, height grows."""
    height = _TOP_PX + _BOTTOM_PX + _ROW_PX * max(athlete_count, 1)
    return COMPLIANCE_CHART_WIDTH_PX, min(max(height, _MIN_HEIGHT_PX), _MAX_HEIGHT_PX)


def render_compliance_chart(
    athletes: Sequence[str],
    planned: Sequence[float],
    completed: Sequence[float],
    compliance_pct: Sequence[float | None],
    *,
    locale: str = "en",
    unit: str = "",
    title: str | None = None,
) -> bytes:
    """PNG of each athlete's completed-vs-planned percentage, top to bottom in given order.

    `planned` and `completed` are shown next to each bar followed by `unit` (e.g. "h").
    A `compliance_pct` of None means nothing was planned: the row says so, without a bar.
    Raises ChartInputError when the sequences differ in length or hold bad numbers.
    """
    count = len(athletes)
    for name, values in (
        ("planned", planned),
        ("completed", completed),
        ("compliance_pct", compliance_pct),
    ):
        if len(values) != count:
            raise ChartInputError(f"{name} has {len(values)} values, expected {count}")
    rows = [
        _Row(
            name=_short_name(str(athletes[index])),
            planned=_amount("planned", planned[index], index),
            completed=_amount("completed", completed[index], index),
            percent=optional_percent("compliance_pct", compliance_pct[index], index),
        )
        for index in range(count)
    ]
    words = chart_locale(locale)
    width, height = compliance_chart_size_px(count)
    return render_png(
        "compliance",
        (width, height),
        _setup,
        lambda layout: _draw(layout, rows, words, unit, title, height),
    )


class _Row:
    __slots__ = ("completed", "name", "percent", "planned")

    def __init__(self, name: str, planned: float, completed: float, percent: float | None):
        self.name, self.planned, self.completed, self.percent = name, planned, completed, percent


def _amount(name: str, value: float, index: int) -> float:
    checked = optional_percent(name, value, index)
    if checked is None:
        raise ChartInputError(f"{name}[{index}] is missing")
    return checked


def _short_name(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class _ComplianceLayout:
    """What every compliance chart shares; built once per thread by `_setup`."""

    title: Text
    axes: Axes


def _setup(figure: Figure) -> _ComplianceLayout:
    figure.patch.set_facecolor(style.BACKGROUND)
    title = figure.text(0.05, 0.97, "", fontproperties=style.TITLE_FONT, color=style.INK)
    title.set_verticalalignment("top")
    axes = figure.add_axes((0.3, 0.1, 0.6, 0.8))
    for start, end, colour in _BACKGROUND_BANDS:
        axes.axvspan(start, end, color=colour, linewidth=0)
    axes.axvline(100, color=style.MUTED, linewidth=1.2, linestyle=(0, (4, 3)))
    axes.set_xlim(0, _AXIS_MAX_PCT)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(style.MUTED)
    axes.tick_params(axis="y", length=0, pad=10)
    axes.tick_params(axis="x", colors=style.MUTED)
    return _ComplianceLayout(title, axes)


def _draw(
    layout: _ComplianceLayout,
    rows: list[_Row],
    words: ChartLocale,
    unit: str,
    title: str | None,
    height_px: int,
) -> None:
    top = 1 - _TOP_PX / height_px
    bottom = _BOTTOM_PX / height_px
    layout.title.set_text(title or words.words["compliance_title"])
    layout.title.set_y(1 - 40 / height_px)
    axes = layout.axes
    axes.set_position((_LEFT_FRACTION, bottom, _RIGHT_FRACTION - _LEFT_FRACTION, top - bottom))
    axes.set_xticks(
        _PERCENT_TICKS,
        [words.percent(tick) for tick in _PERCENT_TICKS],
        fontproperties=style.SMALL_FONT,
        color=style.MUTED,
    )
    axes.set_xlabel(
        words.words["compliance_axis"], fontproperties=style.LABEL_FONT, color=style.MUTED
    )
    axes.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    if not rows:
        axes.set_yticks([])
        axes.text(
            0.5,
            0.5,
            words.words["no_athletes"],
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontproperties=style.EMPTY_FONT,
            color=style.INK,
        )
        return
    axes.set_yticks(
        np.arange(len(rows), dtype=float),
        [row.name for row in rows],
        fontproperties=style.LABEL_FONT,
        color=style.INK,
    )
    shown = [(index, row.percent) for index, row in enumerate(rows) if row.percent is not None]
    if shown:
        # One PolyCollection instead of barh's one Rectangle artist per athlete.
        rows_y = np.array([index for index, _ in shown], dtype=float)
        ends = np.array([min(percent, _AXIS_MAX_PCT) for _, percent in shown])
        half = _BAR_HEIGHT / 2
        corners = np.stack(
            [
                np.column_stack([np.zeros_like(ends), rows_y - half]),
                np.column_stack([ends, rows_y - half]),
                np.column_stack([ends, rows_y + half]),
                np.column_stack([np.zeros_like(ends), rows_y + half]),
            ],
            axis=1,
        )
        colours = [_BAND_COLOURS[compliance_band(percent)] for _, percent in shown]
        # An (N, 4, 2) array is PolyCollection.set_verts' fast path (one template path for
        # all bars); matplotlib's stub types verts as a Sequence, which an ndarray is not.
        polygons = PolyCollection(corners, facecolors=colours, edgecolors="none")  # type: ignore[arg-type]
        axes.add_collection(polygons)
    for index, row in enumerate(rows):
        _annotate(axes, index, row, words, unit)


def _annotate(axes: Axes, index: int, row: _Row, words: ChartLocale, unit: str) -> None:
    amounts = f"{words.amount(row.completed)} / {words.amount(row.planned)}"
    if unit:
        amounts = f"{amounts} {unit}"
    if row.percent is None:
        text, x, align = f"{words.words['no_plan']} · {amounts}", 4.0, "left"
    else:
        text = f"{words.percent(row.percent)}  {amounts}"
        end = min(row.percent, _AXIS_MAX_PCT)
        # Inside the bar when the bar is long enough, else just after it.
        x, align = (end - 4, "right") if end > 110 else (end + 4, "left")
    axes.text(
        x, index, text, ha=align, va="center", fontproperties=style.SMALL_FONT, color=style.INK
    )
