"""ASGI middleware of the web surface: request ids, security headers, size and rate limits.

Written as plain ASGI callables rather than Starlette's BaseHTTPMiddleware so streamed
bodies are counted as they arrive and context variables (the request id) reach endpoints.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.observability import REQUEST_ID_KEY, mask_secrets
from core.outbox.limits import Bucket, RateLimiter

log = structlog.get_logger("trainlytics.web")

# Strict by default: the only HTML the app serves (the calendar) needs nothing but its own
# stylesheet. A route that truly needs more sets its own Content-Security-Policy header,
# which this middleware then leaves alone.
STRICT_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
RATE_LIMITED_PREFIXES = ("/oauth/", "/connect/", "/calendar/")
WEBHOOK_PREFIX = "/webhooks/"
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


async def _send_json(
    send: Send, status: int, body: dict[str, str], headers: dict[str, str]
) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


class RequestIdMiddleware:
    """Gives each request an id (a sane incoming X-Request-ID, else a new one), binds it to
    the log context for everything the request does, echoes it, and logs one access line
    with calendar tokens masked."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(**{REQUEST_ID_KEY: request_id})
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            client = scope.get("client")
            log.info(
                "http_request",
                method=scope["method"],
                path=mask_secrets(scope["path"]),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                client=client[0] if client else None,
            )
            structlog.contextvars.unbind_contextvars(REQUEST_ID_KEY)


class SecurityHeadersMiddleware:
    """nosniff, no framing, no referrer (calendar URLs are secrets), strict CSP, and HSTS
    when the request came over https (uvicorn's proxy_headers sets the scheme behind a proxy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", STRICT_CSP)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """413 for bodies over `max_bytes`: at once when Content-Length says so, else as soon as
    the streamed body crosses the limit (so a chunked upload cannot exhaust memory)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await _send_json(
            send,
            413,
            {"detail": f"Request body larger than {self.max_bytes} bytes."},
            {"connection": "close"},
        )


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class RateRule:
    """Requests to paths under `prefix`, per client address: `per_minute` and `burst`."""

    prefix: str
    per_minute: float
    burst: int

    def bucket(self, client: str) -> Bucket:
        return Bucket(f"web:{self.prefix}:{client}", self.per_minute / 60, self.burst)


class TokenBucketLimiter:
    """Token buckets in this process (core.outbox.delivery.RateLimiter): `burst` requests at once,
    refilled at the bucket's rate.

    The web app's limiter when no Redis is configured, and its fallback when Redis fails
    (limits then hold per process rather than not at all). Hand-written (20 lines) to take
    the same `Bucket`s as the shared Redis buckets of workers/ratelimit.py.
    """

    MAX_KEYS = 50_000

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.buckets: dict[str, _Bucket] = {}

    async def try_acquire(self, buckets: Sequence[Bucket]) -> float:
        """0 when one token was taken from every bucket, else seconds to wait (none taken)."""
        now = self.now()
        states = [self._refilled(b, now) for b in buckets]
        wait = max(
            ((1 - s.tokens) / b.rate for b, s in zip(buckets, states, strict=True) if s.tokens < 1),
            default=0.0,
        )
        if wait == 0.0:
            for state in states:
                state.tokens -= 1
        return wait

    def _refilled(self, bucket: Bucket, now: float) -> _Bucket:
        state = self.buckets.get(bucket.key)
        if state is None:
            if len(self.buckets) >= self.MAX_KEYS:
                self._forget_full(now, bucket)
            state = self.buckets[bucket.key] = _Bucket(tokens=float(bucket.burst), updated=now)
        state.tokens = min(bucket.burst, state.tokens + (now - state.updated) * bucket.rate)
        state.updated = now
        return state

    def _forget_full(self, now: float, like: Bucket) -> None:
        # A bucket that has refilled completely is indistinguishable from a new one.
        full_after = like.burst / like.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b.updated < full_after}


class RateLimitMiddleware:
    """Per-client-address limits on the routes worth abusing: OAuth, connect links and
    calendars (token guessing), and provider webhooks (forgeries, probing), each with its
    own budget.

    The client address is the connection's peer, or the one a trusted proxy forwarded
    (`ProxyHeadersMiddleware`, only for TRAINLYTICS_TRUSTED_PROXIES, runs before this).
    With `shared` (Redis token buckets) every web process spends from the same budget;
    if Redis fails, this process's own buckets apply until it answers again.
    """

    def __init__(
        self,
        app: ASGIApp,
        rules: Sequence[RateRule],
        local: TokenBucketLimiter,
        shared: RateLimiter | None = None,
    ) -> None:
        self.app = app
        self.rules = tuple(rules)
        self.local = local
        self.shared = shared
        self._warned_at = -math.inf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            rule = next((r for r in self.rules if scope["path"].startswith(r.prefix)), None)
            if rule is not None:
                client = scope.get("client")
                wait = await self._acquire(rule.bucket(client[0] if client else "unknown"))
                if wait > 0:
                    await _send_json(
                        send,
                        429,
                        {"detail": "Too many requests. Try again shortly."},
                        {"retry-after": str(max(1, math.ceil(wait)))},
                    )
                    return
        await self.app(scope, receive, send)

    async def _acquire(self, bucket: Bucket) -> float:
        if self.shared is not None:
            try:
                return await self.shared.try_acquire([bucket])
            except Exception as exc:  # any Redis failure: limit per process, never fail open
                now = time.monotonic()
                if now - self._warned_at > 60:  # once a minute, not once per request
                    self._warned_at = now
                    log.warning("shared_rate_limit_unavailable", error=str(exc))
        return await self.local.try_acquire([bucket])
