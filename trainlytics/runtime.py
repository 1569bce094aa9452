"""Starting the product: which services run in this process, and running them together."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn

from core.delivery import RateLimiter
from trainlytics import web_address
from trainlytics.container import Container
from web.app import create_app

Service = Callable[[Container], Awaitable[None]]

# Background services a role may start, as "module:function". Each function runs until
# cancelled and decides for itself whether it applies (e.g. no token → no Telegram bot).
EMBEDDED_SERVICES = (
    "workers.embedded:run_worker_and_scheduler",
    "bot.telegram.runner:run_bot",
    "bot.slack.runner:run_slack",
)


def resolve(spec: str) -> Service | None:
    module_name, _, attr = spec.partition(":")
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), attr)


def shared_rate_limiter(container: Container) -> RateLimiter | None:
    """Redis token buckets shared by every web process, when Redis is configured."""
    settings = container.settings
    if not settings.redis_url:
        return None
    from workers.ratelimit import RedisTokenBuckets

    return RedisTokenBuckets.from_url(settings.redis_url, prefix=f"{settings.jobs_queue_name}:")


async def serve_web(container: Container) -> None:
    settings = container.settings
    config = uvicorn.Config(
        create_app(container, rate_limiter=shared_rate_limiter(container)),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        lifespan="on",
        # Forwarded headers are judged by the app against TRAINLYTICS_TRUSTED_PROXIES;
        # uvicorn's own default would believe anyone connecting from 127.0.0.1.
        proxy_headers=False,
    )
    server = AddressRecordingServer(config, settings.data_dir)
    try:
        await server.serve()
    finally:  # also when cancelled (another service of the process failed)
        web_address.forget(settings.data_dir)


class AddressRecordingServer(uvicorn.Server):
    """uvicorn's server, recording the address it bound for the other local processes."""

    def __init__(self, config: uvicorn.Config, data_dir: Path) -> None:
        super().__init__(config)
        self.data_dir = data_dir

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.servers and self.servers[0].sockets:
            port = self.servers[0].sockets[0].getsockname()[1]
            web_address.record(self.data_dir, web_address.reachable_url(self.config.host, port))

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        web_address.forget(self.data_dir)
        await super().shutdown(sockets=sockets)


async def run_together(container: Container, services: list[Service]) -> None:
    """Run services side by side until the first one (the main role) stops or any fails.

    A background service that does not apply here (no token set) may simply return; the
    others keep running. On the way out every service is cancelled and the container closed.
    """
    tasks = [asyncio.create_task(service(container)) for service in services]
    main, pending = tasks[0], set(tasks)
    try:
        while main in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a failing service stops the process with its error
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await container.aclose()
