"""Chart rendering cost against saving an empty matplotlib figure of the same size.

Target: each chart costs at most 4× the baseline, measured in this same run.
Run: .venv/bin/python bench/bench_charts.py
"""

from __future__ import annotations

import io
import math
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.charts import (
    LOAD_CHART_SIZE_PX,
    compliance_chart_size_px,
    render_compliance_chart,
    render_load_chart,
)
from core.charts.figure_pool import DPI

TARGET_RATIO = 4.0
ROUNDS = 20


def best_seconds(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    action()  # warm caches (fonts, glyphs) as a long-running worker would have them
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def empty_figure_save(width_px: int, height_px: int) -> Callable[[], bytes]:
    def save() -> bytes:
        figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    return save


def history(
    day_count: int,
) -> tuple[list[date], list[float], list[float], list[float], list[float]]:
    today = date(2026, 3, 3)
    days = [today - timedelta(days=day_count - 1 - index) for index in range(day_count)]
    load = [
        max(0.0, 60 + 40 * math.sin(index / 3) - (60 if index % 7 == 0 else 0))
        for index in range(day_count)
    ]
    fitness, fatigue, form = [], [], []
    long_term = short_term = 0.0
    for value in load:
        form.append(long_term - short_term)
        long_term += (value - long_term) / 42
        short_term += (value - short_term) / 7
        fitness.append(long_term)
        fatigue.append(short_term)
    return days, load, fitness, fatigue, form


def load_chart(day_count: int) -> Callable[[], bytes]:
    days, load, fitness, fatigue, form = history(day_count)
    planned_days = [days[-1] + timedelta(days=offset) for offset in range(1, 15)]
    planned = [50.0 + 5 * (offset % 4) for offset in range(14)]
    forecast = [fitness[-1] + 0.2 * offset for offset in range(1, 15)]
    tired = [fatigue[-1] - offset for offset in range(1, 15)]
    fresh = [a - b for a, b in zip(forecast, tired, strict=True)]

    def render() -> bytes:
        return render_load_chart(
            days,
            load,
            fitness,
            fatigue,
            form,
            planned_days=planned_days,
            planned_load=planned,
            forecast_fitness=forecast,
            forecast_fatigue=tired,
            forecast_form=fresh,
        )

    return render


def compliance_chart(athlete_count: int) -> Callable[[], bytes]:
    names = [f"Athlete {index + 1}" for index in range(athlete_count)]
    planned = [6.0 + index % 4 for index in range(athlete_count)]
    completed = [value * (0.4 + 0.15 * (index % 9)) for index, value in enumerate(planned)]
    percent = [100 * done / plan for done, plan in zip(completed, planned, strict=True)]

    def render() -> bytes:
        return render_compliance_chart(names, planned, completed, percent, unit="h")

    return render


def main() -> int:
    cases = [
        ("load chart, 12 weeks", LOAD_CHART_SIZE_PX, load_chart(84)),
        ("load chart, 10 years", LOAD_CHART_SIZE_PX, load_chart(3653)),
        ("compliance chart, 12 athletes", compliance_chart_size_px(12), compliance_chart(12)),
        ("compliance chart, 40 athletes", compliance_chart_size_px(40), compliance_chart(40)),
    ]
    print(f"target: chart <= {TARGET_RATIO:.0f}x saving an empty figure of the same size")
    for name, (width, height), render in cases:
        baseline = best_seconds(empty_figure_save(width, height))
        chart = best_seconds(render)
        ratio = chart / baseline
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(
            f"{name:32s} {width}x{height}px  empty {baseline * 1000:6.1f} ms  "
            f"chart {chart * 1000:6.1f} ms  ratio {ratio:4.2f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
