"""Rate limits: token buckets shared by every worker, per platform and per chat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.enums import Platform
from core.outbox.sending import ChatTarget


@dataclass(frozen=True)
class Bucket:
    """A token bucket: `rate` tokens per second, holding at most `burst`."""

    key: str
    rate: float
    burst: float


class RateLimiter(Protocol):
    async def try_acquire(self, buckets: Sequence[Bucket]) -> float:
        """Take one token from every bucket, all or none.

        Returns 0.0 when taken, else the seconds until all buckets have a token (nothing
        is taken then). Shared by every worker process (workers.ratelimit).
        """
        ...


@dataclass(frozen=True)
class PlatformLimit:
    overall_per_s: float | None = None
    per_chat_per_s: float | None = None


# Telegram: ~30 messages/s per bot, 1/s per chat. Slack: ~1 message/s per channel.
DEFAULT_LIMITS: dict[str, PlatformLimit] = {
    Platform.TELEGRAM: PlatformLimit(overall_per_s=30, per_chat_per_s=1),
    Platform.SLACK: PlatformLimit(per_chat_per_s=1),
}


def buckets_for(target: ChatTarget, limits: Mapping[str, PlatformLimit]) -> list[Bucket]:
    limit = limits.get(target.platform)
    if limit is None:
        return []
    buckets = []
    if limit.overall_per_s:
        rate = limit.overall_per_s
        buckets.append(Bucket(f"rl:{target.platform}", rate, rate))
    if limit.per_chat_per_s:
        rate = limit.per_chat_per_s
        chat = f"{target.workspace_id}:{target.chat_id}"
        buckets.append(Bucket(f"rl:{target.platform}:chat:{chat}", rate, rate))
    return buckets
