"""Timing helper shared by the bench scripts: best-of-N wall time of one call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> float:
    """Seconds per call, the minimum over `repeat` rounds of `number` calls (least noisy)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"
