"""Training-load engine: per-activity metrics and the per-athlete PMC."""

from core.metrics.activity import ActivityMetrics, compute_activity_metrics, manual_load
from core.metrics.errors import MetricsInputError
from core.metrics.pmc import PMCSeries, daily_load_array, forecast, pmc
from core.metrics.thresholds_in_force import Thresholds

__all__ = [
    "ActivityMetrics",
    "MetricsInputError",
    "PMCSeries",
    "Thresholds",
    "compute_activity_metrics",
    "daily_load_array",
    "forecast",
    "manual_load",
    "pmc",
]
