"""Typed errors for chart input that cannot be drawn."""

from __future__ import annotations


class ChartInputError(ValueError):
    """The series handed to a chart are inconsistent (lengths, order, values)."""
