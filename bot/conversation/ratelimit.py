"""Per-person allowance for heavy requests (charts, imports): a small token bucket.

In memory, per process: it protects this process's CPU, which is what a chart or an
import costs; a person spread over processes gets a bit more, which is harmless.
"""

from __future__ import annotations

import math

from core.clock import Clock


class HeavyLimiter:
    def __init__(self, clock: Clock, burst: int, refill_s: float) -> None:
        self.clock = clock
        self.burst = burst
        self.refill_s = refill_s
        self._buckets: dict[int, tuple[float, float]] = {}  # user -> (tokens, at)

    def take(self, user_id: int) -> int:
        """0 when allowed (one token spent), else whole seconds until the next token."""
        now = self.clock.now().timestamp()
        tokens, at = self._buckets.get(user_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) / self.refill_s)
        if tokens >= 1:
            self._buckets[user_id] = (tokens - 1, now)
            return 0
        self._buckets[user_id] = (tokens, now)
        return max(1, math.ceil((1 - tokens) * self.refill_s))
