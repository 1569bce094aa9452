"""Retrying temporary failures: exponential backoff with jitter, for about a day."""

from __future__ import annotations

import random
from datetime import timedelta

# Temporary failures back off 30 s, 60 s, 120 s ... capped at one hour, for about a day.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with "equal jitter": half the step fixed, half random.

    The fixed half guarantees real spacing; the random half spreads retries of many rows
    so that they do not all hit a recovering platform in the same second.
    """
    step = min(BACKOFF_CAP, BACKOFF_BASE * (1 << max(0, attempts - 1)))  # 1, 2, 4, 8 ... steps
    half = step / 2
    return half + half * (rng.random() if rng is not None else random.random())
