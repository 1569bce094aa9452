"""The web app factory: the web door's own routes and middleware, on the root's services.

Other doors add their routes to the app the root builds (trainlytics/web_app.py): the
provider webhooks, Telegram's webhook, Slack's events. Routes read what they use through
web/deps.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core.observability import setup_observability
from core.outbox.limits import RateLimiter
from core.services import Services
from core.sync.build import SyncContext
from web import calendar, health, oauth, ready, root
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


def create_app(
    services: Services,
    sync: SyncContext,
    *,
    rate_limiter: RateLimiter | None = None,
) -> FastAPI:
    """`rate_limiter`: buckets shared by every web process (the composition root passes
    Redis's when TRAINLYTICS_REDIS_URL is set, and closes it); without it the limits are
    per process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_observability(services.settings)
        yield

    app = FastAPI(title="Trainlytics", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.services = services
    app.state.sync = sync
    for module in (root, health, ready, oauth, calendar):
        app.include_router(module.router)
    _add_middleware(app, services, rate_limiter)
    return app


def _add_middleware(app: FastAPI, services: Services, shared_limiter: RateLimiter | None) -> None:
    settings = services.settings
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
