"""Token buckets shared by every worker process (Redis), or by one process (memory).

Both implement core.outbox.delivery.RateLimiter: `try_acquire(buckets)` takes one token from
each bucket atomically (all or none) and otherwise says how long to wait.

Written here rather than taken from a library: the rate-limit packages on PyPI either
limit one key at a time (we need "30/s overall AND 1/s for this chat" taken together, so
a message refused by its chat does not burn a global token) or sleep instead of telling
the caller how long to wait (the delivery loop defers a busy chat's rows instead).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from redis.asyncio import Redis

from core.outbox.limits import Bucket

# KEYS: one hash per bucket. ARGV: for each bucket its rate and burst.
# Time comes from the Redis server so that every worker sees the same clock.
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
local levels = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1]) or burst
  local ts = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  levels[i] = tokens
  if tokens < 1 then
    wait = math.max(wait, (1 - tokens) / rate)
  end
end
if wait > 0 then
  return tostring(wait)
end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  redis.call('HSET', key, 'tokens', levels[i] - 1, 'ts', now)
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
end
return '0'
"""


class RedisTokenBuckets:
    """Buckets in Redis, updated by one Lua script so concurrent workers never race."""

    def __init__(self, redis: Redis, prefix: str = "trainlytics:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_LUA)

    @classmethod
    def from_url(cls, url: str, prefix: str = "trainlytics:") -> RedisTokenBuckets:
        return cls(Redis.from_url(url), prefix)

    async def try_acquire(self, buckets: Sequence[Bucket]) -> float:
        if not buckets:
            return 0.0
        keys = [self._prefix + b.key for b in buckets]
        args: list[float] = []
        for b in buckets:
            args += [b.rate, b.burst]
        result = await self._script(keys=keys, args=args)
        return float(result)

    async def aclose(self) -> None:
        await self._redis.aclose()


class MemoryTokenBuckets:
    """The same buckets in this process: the embedded single-process mode and tests."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    async def try_acquire(self, buckets: Sequence[Bucket]) -> float:
        now = self._now()
        levels = []
        wait = 0.0
        for b in buckets:
            tokens, at = self._state.get(b.key, (b.burst, now))
            tokens = min(b.burst, tokens + max(0.0, now - at) * b.rate)
            levels.append(tokens)
            if tokens < 1:
                wait = max(wait, (1 - tokens) / b.rate)
        if wait > 0:
            return wait
        for b, tokens in zip(buckets, levels, strict=True):
            self._state[b.key] = (tokens - 1, now)
        return 0.0
