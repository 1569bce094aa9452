"""Typed errors of the metrics engine: bad thresholds or bad manual inputs."""

from __future__ import annotations


class MetricsInputError(ValueError):
    """An athlete threshold, RPE or duration that no formula can use (message says which)."""
