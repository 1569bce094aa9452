"""Starting the product: which services run in this process, and running them together.

Stopping (`trainlytics.lifecycle`): on SIGTERM the web server stops accepting, gives
requests in flight `WEB_GRACE_S` to finish, then the background services are cancelled (each has
`CANCEL_GRACE_S` to let go of what it holds) and the container closes its pools.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from bot.slack.runner import run_slack
from bot.telegram.registration import register_webhook
from bot.telegram.runner import run_bot
from core import web_address
from trainlytics.container import Container
from trainlytics.lifecycle import STOP_SIGNALS
from trainlytics.web_app import build_web_app
from workers.embedded import run_worker_and_scheduler

log = logging.getLogger(__name__)

Service = Callable[[Container], Coroutine[Any, Any, None]]

WEB_GRACE_S = 4
CANCEL_GRACE_S = 2.0


def role_services(container: Container, role: str) -> list[Service]:
    """The web app first (the main service), then what runs beside it in this role.

    `all` (embedded): the jobs in-process when there is no Redis, the Telegram bot
    (polling, or keeping its webhook), the Slack app's announcement. `web`: Telegram's
    webhook registration, so Telegram posts to the route only once it is registered.
    """
    services: list[Service] = [serve_web]
    if role == "all":
        if not container.settings.redis_url:
            services.append(run_jobs_in_process)
        if container.telegram is not None:
            services.append(run_telegram)
        services.append(announce_slack)
    elif container.telegram is not None:
        services.append(register_telegram_webhook)
    return services


async def run_jobs_in_process(container: Container) -> None:
    backend = container.jobs_backend.backend
    await run_worker_and_scheduler(backend, container.runtime, container.scheduler)


async def run_telegram(container: Container) -> None:
    assert container.telegram is not None
    await run_bot(container.telegram, container.settings)


async def register_telegram_webhook(container: Container) -> None:
    assert container.telegram is not None
    await register_webhook(container.telegram, container.settings)


async def announce_slack(container: Container) -> None:
    await run_slack(container.settings)


class _Server(uvicorn.Server):
    """uvicorn's server, told to stop by SIGTERM/SIGINT without killing the process.

    uvicorn re-raises the signal it caught once its own shutdown is done, which kills the
    process before the other services and the database pools are closed: here the signal
    only asks the server to exit, and `trainlytics run` ends normally after the cleanup.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)


async def serve_web(container: Container) -> None:
    settings = container.settings
    config = uvicorn.Config(
        build_web_app(container),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        lifespan="on",
        # Forwarded headers are judged by the app against TRAINLYTICS_TRUSTED_PROXIES;
        # uvicorn's own default would believe anyone connecting from 127.0.0.1.
        proxy_headers=False,
        # Requests still open after this (a slow client, a stuck upstream) are dropped.
        timeout_graceful_shutdown=WEB_GRACE_S,
    )
    server = AddressRecordingServer(config, settings.data_dir)
    try:
        await server.serve()
    finally:  # also when cancelled (another service of the process failed)
        web_address.forget(settings.data_dir)


class AddressRecordingServer(_Server):
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
        # A service that swallows its cancellation must not hold the process past its budget.
        await asyncio.wait(tasks, timeout=CANCEL_GRACE_S)
        for task in tasks:
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: the first error was raised above already
        try:
            await asyncio.wait_for(container.aclose(), CANCEL_GRACE_S)
        except TimeoutError:
            log.warning("closing the pools took over %.0f s; exiting anyway", CANCEL_GRACE_S)
