"""FastAPI app factory. Every route module exposes `router`; the container is on app.state."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware

from trainlytics.container import Container
from trainlytics.logging import setup_observability
from web.middleware import (
    BodySizeLimitMiddleware,
    RateLimitMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
    TokenBucketLimiter,
)

# Route modules mounted on the app, in order. A module listed here that does not exist
# yet (a door still being built) is skipped; an import error inside one is raised.
ROUTE_MODULES = (
    "web.root",
    "web.health",
    "web.ready",
    "web.oauth",
    "web.calendar",
    "webhooks.routes",
    "bot.telegram.webhook",
    "bot.slack.routes",
)

StartupHook = Callable[[Container], Awaitable[None]]


def create_app(container: Container, *, on_startup: tuple[StartupHook, ...] = ()) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_observability(container.settings)
        for hook in on_startup:
            await hook(container)
        yield

    app = FastAPI(title="Trainlytics", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.container = container
    for name in ROUTE_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        app.include_router(importlib.import_module(name).router)
    _add_middleware(app, container)
    return app


def _add_middleware(app: FastAPI, container: Container) -> None:
    settings = container.settings
    limiter = TokenBucketLimiter(settings.rate_limit_per_minute / 60, settings.rate_limit_burst)
    app.state.rate_limiter = limiter
    # The last added runs first: request id (so every log line carries it), then security
    # headers (so 413 and 429 answers get them too), then the size and rate limits, then
    # compression (innermost: it sees each route's own answer; a season's ICS feed of
    # 68 KB travels as about 5 KB to the calendar apps that poll it).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)


async def container_of(request: Request) -> Container:
    """FastAPI dependency: the composition root's container.

    Async on purpose: FastAPI runs a plain-function dependency in its thread pool, a
    thread hop per request that cost more than the rest of a webhook acknowledgement.
    """
    return request.app.state.container
