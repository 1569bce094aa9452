"""Strava's rate-limit windows in Redis, so every worker process sees one view.

Implements `core.sync.ratelimit.RateLimitStore`. The newest observation wins: responses
finish out of order, and an older report must not hide a fuller window. The comparison
and the write happen in one Lua script, so two workers never race on it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from core.sync.ratelimit import InMemoryRateLimitStore, RateLimitState, RateLimitStore, WindowUsage

# KEYS[1]: the state key. ARGV: observed-at (epoch seconds), JSON state, TTL in seconds.
_PUT_NEWEST = """
local known = redis.call('HGET', KEYS[1], 'at')
if known and tonumber(known) > tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'state', ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""
# Observations older than a day say nothing about the current windows.
STATE_TTL_S = 2 * 86_400


class RedisRateLimitStore:
    def __init__(self, redis: Redis, prefix: str = "trainlytics:ratelimit:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._put = redis.register_script(_PUT_NEWEST)

    @classmethod
    def from_url(cls, url: str, prefix: str = "trainlytics:ratelimit:") -> RedisRateLimitStore:
        return cls(Redis.from_url(url), prefix)

    async def get(self, key: str) -> RateLimitState | None:
        raw = await self._redis.hget(self._prefix + key, "state")
        return _decode(raw) if raw else None

    async def put(self, key: str, state: RateLimitState) -> None:
        await self._put(
            keys=[self._prefix + key],
            args=[state.observed_at.timestamp(), _encode(state), STATE_TTL_S],
        )

    async def aclose(self) -> None:
        await self._redis.aclose()


def rate_limit_store(redis_url: str | None, prefix: str = "trainlytics:") -> RateLimitStore:
    """Redis when configured (shared by all workers), else this process's memory."""
    if redis_url:
        return RedisRateLimitStore.from_url(redis_url, f"{prefix}ratelimit:")
    return InMemoryRateLimitStore()


def _encode(state: RateLimitState) -> str:
    def usage(u: WindowUsage | None) -> list[int] | None:
        return None if u is None else [u.limit_15min, u.usage_15min, u.limit_daily, u.usage_daily]

    return json.dumps(
        {
            "at": state.observed_at.isoformat(),
            "overall": usage(state.overall),
            "read": usage(state.read),
        }
    )


def _decode(raw: bytes | str) -> RateLimitState:
    data: dict[str, Any] = json.loads(raw)

    def usage(values: list[int] | None) -> WindowUsage | None:
        return None if values is None else WindowUsage(*values)

    return RateLimitState(
        observed_at=datetime.fromisoformat(data["at"]),
        overall=usage(data["overall"]),
        read=usage(data["read"]),
    )
