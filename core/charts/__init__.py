"""Charts sent in chat: training load (athletes) and plan compliance (coaches).

Rendered with matplotlib's Agg canvas on per-thread reusable Figures, never pyplot, so
renders are thread-safe and need no display. Every function returns PNG bytes.
"""

from core.charts.compliance_chart import (
    ComplianceBand,
    compliance_band,
    compliance_chart_size_px,
    render_compliance_chart,
)
from core.charts.errors import ChartInputError
from core.charts.load_chart import (
    DEFAULT_HISTORY_WEEKS,
    LOAD_CHART_SIZE_PX,
    PLAN_HORIZON_DAYS,
    render_load_chart,
)
from core.charts.locale_names import SUPPORTED_LOCALES, ChartLocale, chart_locale, format_day_label

__all__ = [
    "DEFAULT_HISTORY_WEEKS",
    "LOAD_CHART_SIZE_PX",
    "PLAN_HORIZON_DAYS",
    "SUPPORTED_LOCALES",
    "ChartInputError",
    "ChartLocale",
    "ComplianceBand",
    "chart_locale",
    "compliance_band",
    "compliance_chart_size_px",
    "format_day_label",
    "render_compliance_chart",
    "render_load_chart",
]
