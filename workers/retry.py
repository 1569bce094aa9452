"""Retries that really wait: exponential backoff with jitter, delayed through the scheduler."""

from __future__ import annotations

import random

from taskiq import SmartRetryMiddleware, TaskiqMessage


class ExponentialRetryMiddleware(SmartRetryMiddleware):
    """SmartRetryMiddleware with a doubling delay and "equal jitter".

    taskiq's `use_delay_exponent` multiplies the delay by the retry number (linear) and
    adds at most one second of jitter; a platform outage wants 5 s, 10 s, 20 s ... The
    delay is honoured only because the middleware is given a schedule source (a retry
    becomes a one-off schedule), see the reference notes on taskiq's ignored `delay` label.
    """

    def make_delay(self, message: TaskiqMessage, retries: int) -> float:
        base = float(message.labels.get("delay", self.default_delay))
        step = min(base * 2 ** max(0, retries - 1), self.max_delay_exponent)
        return step / 2 + random.random() * step / 2
