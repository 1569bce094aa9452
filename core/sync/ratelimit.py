"""Strava's application rate limits, read from its response headers.

Strava counts per application in two windows: 15 minutes (resetting at :00, :15, :30,
:45 UTC) and the UTC day. `X-RateLimit-Limit`/`-Usage` are the overall pair,
`X-ReadRateLimit-*` the read (non-upload) pair; each header is "<15 min>,<daily>".
The state is plain data kept in a `RateLimitStore`, so several workers share one view
(in memory here; a Redis store implements the same two methods).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

WINDOW_15_MIN = "15min"
WINDOW_DAILY = "daily"


@dataclass(frozen=True)
class WindowUsage:
    limit_15min: int
    usage_15min: int
    limit_daily: int
    usage_daily: int


@dataclass(frozen=True)
class RateLimitState:
    observed_at: datetime  # aware UTC: when Strava reported these numbers
    overall: WindowUsage | None = None
    read: WindowUsage | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: datetime) -> RateLimitState | None:
        """None when the response carries no rate-limit headers at all."""
        lowered = {k.lower(): v for k, v in headers.items()}
        overall = _pair(lowered, "x-ratelimit-limit", "x-ratelimit-usage")
        read = _pair(lowered, "x-readratelimit-limit", "x-readratelimit-usage")
        if overall is None and read is None:
            return None
        return cls(observed_at=now, overall=overall, read=read)

    def current(self, now: datetime) -> RateLimitState:
        """The usage as it stands at `now`: counters of windows that ended read as 0."""
        same_quarter = quarter_start(now) == quarter_start(self.observed_at)
        same_day = now.date() == self.observed_at.astimezone(UTC).date()
        return replace(
            self,
            overall=_age(self.overall, same_quarter, same_day),
            read=_age(self.read, same_quarter, same_day),
        )

    def exhausted_window(self, now: datetime, *, is_read: bool) -> str | None:
        """Which window is full for the next request (daily wins), or None."""
        state = self.current(now)
        pairs = [state.overall] + ([state.read] if is_read else [])
        if any(p and p.usage_daily >= p.limit_daily for p in pairs):
            return WINDOW_DAILY
        if any(p and p.usage_15min >= p.limit_15min for p in pairs):
            return WINDOW_15_MIN
        return None


def _pair(headers: Mapping[str, str], limit_name: str, usage_name: str) -> WindowUsage | None:
    limit, usage = headers.get(limit_name), headers.get(usage_name)
    if not limit or not usage:
        return None
    try:
        l15, lday = (int(x.strip()) for x in limit.split(",")[:2])
        u15, uday = (int(x.strip()) for x in usage.split(",")[:2])
    except ValueError:
        return None  # a header we cannot read must not break the sync itself
    return WindowUsage(l15, u15, lday, uday)


def _age(usage: WindowUsage | None, same_quarter: bool, same_day: bool) -> WindowUsage | None:
    if usage is None:
        return None
    return replace(
        usage,
        usage_15min=usage.usage_15min if same_quarter and same_day else 0,
        usage_daily=usage.usage_daily if same_day else 0,
    )


def quarter_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def next_window_end(now: datetime, window: str = WINDOW_15_MIN) -> datetime:
    """When the given window resets: the next quarter hour, or the next UTC midnight."""
    now = now.astimezone(UTC)
    if window == WINDOW_DAILY:
        return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    return quarter_start(now) + timedelta(minutes=15)


class RateLimitStore(Protocol):
    async def get(self, key: str) -> RateLimitState | None: ...

    async def put(self, key: str, state: RateLimitState) -> None: ...


class InMemoryRateLimitStore:
    """One process's view; keeps the newest observation per key."""

    def __init__(self) -> None:
        self._states: dict[str, RateLimitState] = {}
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> RateLimitState | None:
        return self._states.get(key)

    async def put(self, key: str, state: RateLimitState) -> None:
        async with self._lock:
            known = self._states.get(key)
            # Responses can finish out of order; an older observation must not win.
            if known is None or known.observed_at <= state.observed_at:
                self._states[key] = state
