"""Health, readiness, security headers, size and rate limits, request ids."""

from __future__ import annotations

import socket

import httpx
import structlog
from taskiq import InMemoryBroker

from core.db.engine import Database
from core.observability import current_request_id
from trainlytics.container import build_container
from trainlytics.web_app import build_web_app
from web.middleware import STRICT_CSP, BodySizeLimitMiddleware, RateRule, TokenBucketLimiter
from workers.request_id import RequestIdTaskMiddleware

from .conftest import make_settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client(app, *, ip: str = "203.0.113.7", https: bool = False) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 4242))
    base = "https://testserver" if https else "http://testserver"
    return httpx.AsyncClient(transport=transport, base_url=base)


async def test_health_and_ready_when_everything_answers(client) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


async def test_ready_is_503_when_the_database_is_down(clock, tmp_path) -> None:
    unreachable = Database.from_url(
        f"postgresql+asyncpg://trainlytics:secret@127.0.0.1:{_closed_port()}/trainlytics"
    )
    container = build_container(make_settings(tmp_path), clock=clock, db=unreachable)
    async with _client(build_web_app(container)) as c:
        assert (await c.get("/health")).status_code == 200  # alive, just not ready
        ready = await c.get("/ready")
    await unreachable.dispose()
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "unreachable", "broker": "ok"}


async def test_ready_is_503_when_redis_is_down(db, clock, tmp_path) -> None:
    settings = make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    container = build_container(settings, clock=clock, db=db)
    async with _client(build_web_app(container)) as c:
        ready = await c.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "broker": "unreachable"}


async def test_security_headers_on_every_response(container) -> None:
    app = build_web_app(container)
    async with _client(app) as c:
        for path in ("/health", "/no-such-page", "/static/calendar.css"):
            response = await c.get(path)
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["content-security-policy"] == STRICT_CSP
            assert "strict-transport-security" not in response.headers
    async with _client(app, https=True) as c:
        response = await c.get("/health")
        assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_oversized_bodies_are_refused(db, clock, tmp_path) -> None:
    container = build_container(make_settings(tmp_path, max_request_bytes=2048), clock=clock, db=db)
    async with _client(build_web_app(container)) as c:
        declared = await c.post("/oauth/strava/callback", content=b"x" * 4096)
        assert declared.status_code == 413
        assert declared.headers["x-content-type-options"] == "nosniff"

        small = await c.post("/no-such-endpoint", content=b"x" * 100)
        assert small.status_code in (404, 405)


async def test_rate_limits_per_ip_with_retry_after(db, clock, tmp_path) -> None:
    settings = make_settings(tmp_path, rate_limit_per_minute=6, rate_limit_burst=3)
    app = build_web_app(build_container(settings, clock=clock, db=db))
    now = [1000.0]
    app.state.rate_limiter.now = lambda: now[0]
    async with _client(app) as guesser, _client(app, ip="198.51.100.9") as neighbour:
        codes = [(await guesser.get(f"/calendar/guess{i}")).status_code for i in range(4)]
        assert codes == [404, 404, 404, 429]
        limited = await guesser.get("/calendar/guess5")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "10"  # 6 per minute: one every 10 s
        assert limited.headers["x-frame-options"] == "DENY"
        # Other addresses and unlimited routes are unaffected.
        assert (await neighbour.get("/calendar/guess")).status_code == 404
        assert (await guesser.get("/health")).status_code == 200
        # OAuth has its own budget, separate from the calendar's.
        assert (await guesser.get("/oauth/strava/callback")).status_code != 429
        now[0] += 10
        assert (await guesser.get("/calendar/guess6")).status_code == 404


async def test_streamed_bodies_are_cut_off_at_the_limit() -> None:
    async def echo_length(scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})

    async def chunks():
        for _ in range(8):
            yield b"y" * 1024

    app = BodySizeLimitMiddleware(echo_length, max_bytes=2048)
    async with _client(app) as c:
        assert (await c.post("/", content=chunks())).status_code == 413
        accepted = await c.post("/", content=b"z" * 2048)
        assert accepted.status_code == 200 and accepted.text == "2048"


async def test_token_bucket_forgets_idle_clients() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(now=lambda: now[0])
    limiter.MAX_KEYS = 2
    rule = RateRule("/calendar/", per_minute=60, burst=2)
    await limiter.try_acquire([rule.bucket("a")])
    await limiter.try_acquire([rule.bucket("b")])
    now[0] = 100
    await limiter.try_acquire([rule.bucket("c")])
    assert set(limiter.buckets) == {rule.bucket("c").key}


async def test_request_id_is_echoed_and_generated(client) -> None:
    given = await client.get("/health", headers={"X-Request-ID": "abc-123-def"})
    assert given.headers["x-request-id"] == "abc-123-def"
    made = await client.get("/health", headers={"X-Request-ID": "<script>"})
    assert made.headers["x-request-id"] != "<script>" and len(made.headers["x-request-id"]) == 32


async def test_request_id_travels_into_enqueued_jobs() -> None:
    broker = InMemoryBroker().with_middlewares(RequestIdTaskMiddleware())
    seen: list[str | None] = []

    @broker.task
    async def remember() -> None:
        seen.append(current_request_id())

    await broker.startup()
    structlog.contextvars.bind_contextvars(request_id="req-42")
    try:
        task = await remember.kiq()
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    await task.wait_result(timeout=10)
    await broker.shutdown()
    assert task is not None
    assert seen == ["req-42"]
