"""The one broker factory: Redis streams in production, in-memory when embedded.

Nothing here is built at import time: the composition root calls `build_broker` once per
process and registers the tasks on it (workers.tasks.register_tasks); taskiq's own CLI
reads the broker the root's entry module builds (`trainlytics.entry:broker`).

With TRAINLYTICS_REDIS_URL: `RedisStreamBroker` (consumer group, acknowledged after the
task completes, so a worker killed mid-task leaves the message to be reclaimed by another
after `jobs_idle_timeout_s`), a result backend whose results expire, and a Redis list
schedule source for per-person schedules and delayed retries. Without it: `InMemoryBroker`
and an in-memory schedule source, run by `trainlytics run` in its own process.
"""

from __future__ import annotations

from dataclasses import dataclass

from taskiq import AsyncBroker, InMemoryBroker, ScheduleSource
from taskiq_redis import ListRedisScheduleSource, RedisAsyncResultBackend, RedisStreamBroker

from core.settings import Settings
from workers.request_id import RequestIdTaskMiddleware
from workers.retry import ExponentialRetryMiddleware
from workers.schedule_sources import MemoryScheduleSource

RESULT_TTL_S = 3600
RETRY_BASE_DELAY_S = 5.0
RETRY_MAX_DELAY_S = 600.0


@dataclass
class JobBackend:
    broker: AsyncBroker
    schedule_source: ScheduleSource  # per-person schedules and delayed retries
    redis_url: str | None


def build_broker(settings: Settings) -> JobBackend:
    if settings.redis_url:
        url = settings.redis_url
        source: ScheduleSource = ListRedisScheduleSource(
            url, prefix=f"{settings.jobs_queue_name}:schedule"
        )
        broker: AsyncBroker = RedisStreamBroker(
            url,
            queue_name=settings.jobs_queue_name,
            consumer_group_name=settings.jobs_queue_name,
            idle_timeout=settings.jobs_idle_timeout_s * 1000,
            # Workers run up to 50 tasks at once (Procfile); each may hold a connection.
            max_connection_pool_size=64,
        ).with_result_backend(RedisAsyncResultBackend(url, result_ex_time=RESULT_TTL_S))
    else:
        source = MemoryScheduleSource()
        broker = InMemoryBroker()
    broker.add_middlewares(
        # Carries the web request id into the jobs it enqueues and into their logs.
        RequestIdTaskMiddleware(),
        ExponentialRetryMiddleware(
            default_retry_count=5,
            default_delay=RETRY_BASE_DELAY_S,
            max_delay_exponent=RETRY_MAX_DELAY_S,
            schedule_source=source,
        ),
    )
    return JobBackend(broker, source, settings.redis_url)
