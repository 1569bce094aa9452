"""FastAPI app factory. Every route module exposes `router`; the container is on app.state."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core.observability import setup_observability
from core.outbox.limits import RateLimiter
from trainlytics.container import Container
from web.middleware import (
    RATE_LIMITED_PREFIXES,
    WEBHOOK_PREFIX,
    BodySizeLimitMiddleware,
    RateLimitMiddleware,
    RateRule,
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


def create_app(
    container: Container,
    *,
    on_startup: tuple[StartupHook, ...] = (),
    rate_limiter: RateLimiter | None = None,
) -> FastAPI:
    """`rate_limiter`: buckets shared by every web process (the composition root passes
    Redis's when TRAINLYTICS_REDIS_URL is set); without it the limits are per process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_observability(container.settings)
        for hook in on_startup:
            await hook(container)
        yield
        close = getattr(rate_limiter, "aclose", None)
        if close is not None:
            await close()

    app = FastAPI(title="Trainlytics", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.container = container
    for name in ROUTE_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        app.include_router(importlib.import_module(name).router)
    _add_middleware(app, container, rate_limiter)
    return app


def _add_middleware(app: FastAPI, container: Container, shared_limiter: RateLimiter | None) -> None:
    settings = container.settings
    rules = [
        RateRule(prefix, settings.rate_limit_per_minute, settings.rate_limit_burst)
        for prefix in RATE_LIMITED_PREFIXES
    ]
    rules.append(
        RateRule(
            WEBHOOK_PREFIX,
            settings.webhook_rate_limit_per_minute,
            settings.webhook_rate_limit_burst,
        )
    )
    local = TokenBucketLimiter()
    app.state.rate_limiter = local
    # The last added runs first: forwarded addresses (so everything after sees the real
    # client), request id (so every log line carries it), security headers (so 413 and
    # 429 answers get them too), then the size and rate limits, then compression
    # (innermost: it sees each route's own answer; a season's ICS feed of 68 KB travels
    # as about 5 KB to the calendar apps that poll it).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RateLimitMiddleware, rules=rules, local=local, shared=shared_limiter)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    if settings.trusted_proxy_list:
        # uvicorn's own middleware (CIDRs, right-most untrusted hop): X-Forwarded-For and
        # -Proto count only when the connection comes from a configured proxy; otherwise
        # they are ignored, whatever network the sender is on.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)


async def container_of(request: Request) -> Container:
    """FastAPI dependency: the composition root's container.

    Async on purpose: FastAPI runs a plain-function dependency in its thread pool, a
    thread hop per request that cost more than the rest of a webhook acknowledgement.
    """
    return request.app.state.container
