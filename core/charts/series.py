"""Validation of the series handed to the charts: lengths, order and finite values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np

from core.charts.errors import ChartInputError


def as_values(name: str, values: Sequence[float], length: int) -> np.ndarray:
    """`values` as a float array of `length` finite numbers, or ChartInputError."""
    if len(values) != length:
        raise ChartInputError(f"{name} has {len(values)} values, expected {length}")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ChartInputError(f"{name} must hold numbers: {error}") from None
    if array.size and not np.isfinite(array).all():
        raise ChartInputError(f"{name} holds NaN or infinite values")
    return array


def as_non_negative(name: str, values: Sequence[float], length: int) -> np.ndarray:
    array = as_values(name, values, length)
    if array.size and array.min() < 0:
        raise ChartInputError(f"{name} holds negative values")
    return array


def check_increasing(name: str, days: Sequence[date]) -> None:
    for index, day in enumerate(days):
        if not isinstance(day, date):
            raise ChartInputError(f"{name}[{index}] is {type(day).__name__}, expected a date")
        if index and days[index - 1] >= day:
            previous = days[index - 1]
            raise ChartInputError(f"{name} must be strictly increasing ({previous} >= {day})")


def optional_percent(name: str, value: object, index: int) -> float | None:
    """`value` as a float, None kept; anything else (a bool, a string, NaN) is refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ChartInputError(f"{name}[{index}] must be a finite number or None, got {value!r}")
    if value < 0:
        raise ChartInputError(f"{name}[{index}] is negative ({value})")
    return float(value)
