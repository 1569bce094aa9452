"""Weekly load chart: daily load bars, Fitness / Fatigue / Form lines, the next 14 days.

Only the last `history_weeks` (12 by default) of history are drawn: the lines' values
already summarise the whole history, and 3 650 daily bars on a 1080 px wide phone
picture would be a grey smear. Planned load and forecasts are drawn dashed after a
"today" marker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from core.charts import style
from core.charts.errors import ChartInputError
from core.charts.figure_pool import render_png
from core.charts.locale_names import ChartLocale, chart_locale
from core.charts.series import as_non_negative, as_values, check_increasing

LOAD_CHART_SIZE_PX = (1080, 1350)
DEFAULT_HISTORY_WEEKS = 12
PLAN_HORIZON_DAYS = 14
_MIN_SPAN_DAYS = 21
_MAX_DATE_TICKS = 7
# Monday ticks closer to today than this share of the tick step would collide with the
# wider "Today" / "Aujourd'hui" label.
_TODAY_CLEARANCE_STEPS = 1.0
_EMPTY_AXIS_TOP = 100.0
_MIN_FUTURE_DAYS = 3.5

# Fixed axes rectangles (figure fractions) instead of tight/constrained layout, which
# would measure every text on every render.
_LINES_RECT = (0.14, 0.47, 0.82, 0.39)
_LOAD_RECT = (0.14, 0.12, 0.82, 0.26)


@dataclass(frozen=True)
class _LoadSeries:
    """Validated input, windowed and expressed in days relative to today (today = 0)."""

    today: date | None
    x: np.ndarray
    load: np.ndarray
    fitness: np.ndarray
    fatigue: np.ndarray
    form: np.ndarray
    planned_x: np.ndarray
    planned_load: np.ndarray
    forecast_x: np.ndarray
    forecast_fitness: np.ndarray
    forecast_fatigue: np.ndarray
    forecast_form: np.ndarray

    @property
    def has_history(self) -> bool:
        return self.x.size > 0

    @property
    def has_plan(self) -> bool:
        return self.planned_x.size > 0


def render_load_chart(
    days: Sequence[date],
    load: Sequence[float],
    fitness: Sequence[float],
    fatigue: Sequence[float],
    form: Sequence[float],
    *,
    planned_days: Sequence[date] = (),
    planned_load: Sequence[float] = (),
    forecast_fitness: Sequence[float] = (),
    forecast_fatigue: Sequence[float] = (),
    forecast_form: Sequence[float] = (),
    locale: str = "en",
    title: str | None = None,
    today: date | None = None,
    history_weeks: int = DEFAULT_HISTORY_WEEKS,
) -> bytes:
    """PNG (1080×1350 px) of a person's training load, for a phone screen.

    `days` are the history's days in increasing order, with one value per day in
    `load`, `fitness`, `fatigue` and `form`. `today` defaults to the last history day.
    `planned_days`/`planned_load` are planned workouts; those in the 14 days after today
    are drawn. `forecast_*` hold one value per day starting the day after today.
    Raises ChartInputError when the series do not fit together.
    """
    series = _prepare(
        days,
        load,
        fitness,
        fatigue,
        form,
        planned_days=planned_days,
        planned_load=planned_load,
        forecasts=(forecast_fitness, forecast_fatigue, forecast_form),
        today=today,
        history_weeks=history_weeks,
    )
    words = chart_locale(locale)
    width, height = LOAD_CHART_SIZE_PX
    return render_png(
        "load", (width, height), _setup, lambda layout: _draw(layout, series, words, title)
    )


def _prepare(
    days: Sequence[date],
    load: Sequence[float],
    fitness: Sequence[float],
    fatigue: Sequence[float],
    form: Sequence[float],
    *,
    planned_days: Sequence[date],
    planned_load: Sequence[float],
    forecasts: tuple[Sequence[float], Sequence[float], Sequence[float]],
    today: date | None,
    history_weeks: int,
) -> _LoadSeries:
    if history_weeks < 1:
        raise ChartInputError(f"history_weeks must be at least 1, got {history_weeks}")
    check_increasing("days", days)
    check_increasing("planned_days", planned_days)
    count = len(days)
    load_values = as_non_negative("load", load, count)
    lines = [
        as_values(name, values, count)
        for name, values in (("fitness", fitness), ("fatigue", fatigue), ("form", form))
    ]
    planned_values = as_non_negative("planned_load", planned_load, len(planned_days))
    forecast_length = max(len(values) for values in forecasts)
    forecast_values = [
        as_values(name, values, forecast_length if values else 0)
        for name, values in zip(
            ("forecast_fitness", "forecast_fatigue", "forecast_form"), forecasts, strict=True
        )
    ]

    if today is None and days:
        today = days[-1]
    elif today is None and planned_days:
        today = planned_days[0] - timedelta(days=1)
    if today is None:
        empty = np.zeros(0)
        return _LoadSeries(None, *(empty,) * 11)

    origin = today.toordinal()
    history_x = np.array([day.toordinal() - origin for day in days], dtype=float)
    shown = (history_x > -history_weeks * 7) & (history_x <= 0)
    plan_x = np.array([day.toordinal() - origin for day in planned_days], dtype=float)
    upcoming = (plan_x > 0) & (plan_x <= PLAN_HORIZON_DAYS)
    horizon = min(forecast_length, PLAN_HORIZON_DAYS)
    forecast_x = np.arange(1, horizon + 1, dtype=float)
    return _LoadSeries(
        today=today,
        x=history_x[shown],
        load=load_values[shown],
        fitness=lines[0][shown],
        fatigue=lines[1][shown],
        form=lines[2][shown],
        planned_x=plan_x[upcoming],
        planned_load=planned_values[upcoming],
        forecast_x=forecast_x,
        forecast_fitness=forecast_values[0][:horizon],
        forecast_fatigue=forecast_values[1][:horizon],
        forecast_form=forecast_values[2][:horizon],
    )


@dataclass(frozen=True)
class _LoadLayout:
    """What every load chart shares; built once per thread by `_setup`."""

    title: Text
    lines_axes: Axes
    load_axes: Axes
    today_markers: tuple[Line2D, Line2D]


def _setup(figure: Figure) -> _LoadLayout:
    figure.patch.set_facecolor(style.BACKGROUND)
    title = figure.text(0.05, 0.965, "", fontproperties=style.TITLE_FONT, color=style.INK, va="top")
    lines_axes = figure.add_axes(_LINES_RECT)
    load_axes = figure.add_axes(_LOAD_RECT, sharex=lines_axes)
    for axes in (lines_axes, load_axes):
        _style_axes(axes)
    lines_axes.tick_params(axis="x", labelbottom=False)
    lines_axes.axhline(0, color=style.MUTED, linewidth=1)
    # x is "days after today", so the today marker never moves.
    markers = (_today_marker(lines_axes), _today_marker(load_axes))
    return _LoadLayout(title, lines_axes, load_axes, markers)


def _today_marker(axes: Axes) -> Line2D:
    return axes.axvline(0, color=style.TODAY, linewidth=1.2, linestyle=(0, (1, 2)), zorder=0.5)


def _draw(layout: _LoadLayout, series: _LoadSeries, words: ChartLocale, title: str | None) -> None:
    layout.title.set_text(title or words.words["title"])
    layout.lines_axes.set_ylabel(
        words.words["lines_axis"], fontproperties=style.LABEL_FONT, color=style.MUTED
    )
    layout.load_axes.set_ylabel(
        words.words["load_axis"], fontproperties=style.LABEL_FONT, color=style.MUTED
    )
    left, right = _x_range(series)
    layout.lines_axes.set_xlim(left, right)
    _draw_load_bars(layout.load_axes, series, words)
    _draw_lines(layout.lines_axes, series, words)
    _draw_date_ticks(layout.load_axes, series.today, left, right, words)
    for marker in layout.today_markers:
        marker.set_visible(series.today is not None)
    if not series.has_history:
        _draw_empty_message(layout.lines_axes, words)


def _style_axes(axes: Axes) -> None:
    axes.set_facecolor(style.BACKGROUND)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(style.MUTED)
    axes.grid(axis="y", color=style.GRID, linewidth=1)
    axes.set_axisbelow(True)
    axes.tick_params(colors=style.MUTED, length=4, labelsize=style.TICK_FONT.get_size())


def _x_range(series: _LoadSeries) -> tuple[float, float]:
    ends = [0.0]
    starts = [0.0]
    for values in (series.x, series.planned_x, series.forecast_x):
        if values.size:
            starts.append(float(values.min()))
            ends.append(float(values.max()))
    # Room right of today even without a plan, so the bold "Today" tick label fits.
    left, right = min(starts) - 0.6, max(max(ends) + 0.6, _MIN_FUTURE_DAYS)
    return min(left, right - _MIN_SPAN_DAYS), right


def _bar_polygons(x: np.ndarray, heights: np.ndarray, width: float = 0.8) -> np.ndarray:
    """One rectangle per day, as a single PolyCollection (one artist, not one per bar)."""
    half = width / 2
    return np.stack(
        [
            np.column_stack([x - half, np.zeros_like(x)]),
            np.column_stack([x - half, heights]),
            np.column_stack([x + half, heights]),
            np.column_stack([x + half, np.zeros_like(x)]),
        ],
        axis=1,
    )


def _draw_load_bars(axes: Axes, series: _LoadSeries, words: ChartLocale) -> None:
    handles = []
    if series.has_history:
        axes.add_collection(
            PolyCollection(
                # An (N, 4, 2) array is set_verts' fast path; the stub says Sequence only.
                _bar_polygons(series.x, series.load),  # type: ignore[arg-type]
                facecolors=style.LOAD,
                edgecolors="none",
            )
        )
        handles.append(Patch(facecolor=style.LOAD, label=words.words["load"]))
    if series.has_plan:
        axes.add_collection(
            PolyCollection(
                _bar_polygons(series.planned_x, series.planned_load),  # type: ignore[arg-type]
                facecolors="none",
                edgecolors=style.PLANNED,
                hatch="//",
                linestyles="--",
                linewidths=1.5,
            )
        )
        handles.append(
            Patch(
                facecolor="none",
                edgecolor=style.PLANNED,
                hatch="//",
                linestyle="--",
                label=words.words["planned"],
            )
        )
    tallest = max([*series.load, *series.planned_load], default=0.0) or _EMPTY_AXIS_TOP
    axes.set_ylim(0, _nice_ceiling(tallest * 1.08))
    if handles:
        axes.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncol=2,
            frameon=False,
            prop=style.LEGEND_FONT,
            borderaxespad=0.2,
            handlelength=1.4,
            columnspacing=1.2,
        )


def _draw_lines(axes: Axes, series: _LoadSeries, words: ChartLocale) -> None:
    handles = []
    named = (
        ("fitness", style.FITNESS, series.fitness, series.forecast_fitness, 3.0),
        ("fatigue", style.FATIGUE, series.fatigue, series.forecast_fatigue, 2.2),
        ("form", style.FORM, series.form, series.forecast_form, 2.2),
    )
    for key, colour, values, forecast, width in named:
        label = words.words[key]
        if values.size:
            axes.plot(series.x, values, color=colour, linewidth=width, solid_capstyle="round")
            label = f"{label} {words.number(float(values[-1]))}"
            if forecast.size:
                anchor_x = series.x[-1:] if series.x[-1] == 0 else np.zeros(0)
                anchor_y = values[-1:] if anchor_x.size else np.zeros(0)
                axes.plot(
                    np.concatenate([anchor_x, series.forecast_x]),
                    np.concatenate([anchor_y, forecast]),
                    color=colour,
                    linewidth=width,
                    linestyle=(0, (3, 2)),
                )
        handles.append(Line2D([], [], color=colour, linewidth=width, label=label))
    everything = np.concatenate(
        [
            series.fitness,
            series.fatigue,
            series.form,
            series.forecast_fitness,
            series.forecast_fatigue,
            series.forecast_form,
            [0.0, 10.0],
        ]
    )
    low, high = float(everything.min()), float(everything.max())
    if high - low < 1:
        high = _EMPTY_AXIS_TOP
    pad = (high - low) * 0.08
    axes.set_ylim(low - pad if low < 0 else 0, high + pad)
    axes.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=3,
        frameon=False,
        prop=style.LEGEND_FONT,
        borderaxespad=0.2,
        handlelength=1.4,
        columnspacing=1.0,
    )


def _draw_date_ticks(
    load_axes: Axes, today: date | None, left: float, right: float, words: ChartLocale
) -> None:
    if today is None:
        load_axes.set_xticks([])
        return
    # Ticks on Mondays, every `step` weeks so that at most _MAX_DATE_TICKS fit the width,
    # plus a "Today" tick where the past ends and the plan begins.
    first = math.ceil(left)
    first += (-(today.weekday() + first)) % 7
    step = 7 * max(1, math.ceil((right - first) / 7 / _MAX_DATE_TICKS))
    mondays = [
        offset
        for offset in range(first, math.floor(right) + 1, step)
        if abs(offset) >= max(5, step * _TODAY_CLEARANCE_STEPS)
    ]
    positions = sorted([*mondays, 0])
    labels = []
    for offset in positions:
        day = today + timedelta(days=offset)
        first_line = words.words["today"] if offset == 0 else words.weekdays[day.weekday()]
        labels.append(f"{first_line}\n{words.day_month(day)}")
    load_axes.set_xticks(positions, labels, fontproperties=style.TICK_FONT)
    # Tick labels are reused objects: set every one, or last render's bold would stay.
    for offset, label in zip(positions, load_axes.get_xticklabels(), strict=True):
        label.set_color(style.TODAY if offset == 0 else style.MUTED)
        label.set_fontweight("bold" if offset == 0 else "normal")


def _draw_empty_message(axes: Axes, words: ChartLocale) -> None:
    axes.text(
        0.5,
        0.56,
        words.words["no_training"],
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontproperties=style.EMPTY_FONT,
        color=style.INK,
    )
    axes.text(
        0.5,
        0.44,
        words.words["no_training_hint"],
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontproperties=style.LABEL_FONT,
        color=style.MUTED,
    )


def _nice_ceiling(value: float) -> float:
    """Round up to 1, 2, 2.5 or 5 × 10^n so the top tick is a round number."""
    magnitude = math.pow(10, math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude
