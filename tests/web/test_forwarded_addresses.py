"""Per-address rate limits that a spoofed X-Forwarded-For cannot dodge (issue 12, item 17).

The web role is started as the Procfile starts it (`trainlytics run web`) and attacked
from 127.0.0.1, the local network of the machine: uvicorn's default believed forwarded
headers from there. Trusted proxies, the webhook budget and Redis-shared budgets are
checked on the app itself and, for Redis, on two web processes.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from trainlytics.container import build_container
from trainlytics.web_app import build_web_app
from workers.ratelimit import RedisTokenBuckets

from .conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
TRAINLYTICS = str(Path(sys.executable).with_name("trainlytics"))
REDIS_URL = os.environ.get("TRAINLYTICS_TEST_REDIS_URL")
# Generous: on a loaded 2-core machine importing the app alone has taken 25 s.
STARTUP_S = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def role_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRAINLYTICS_")},
        "TRAINLYTICS_DATA_DIR": str(tmp_path / "var"),
        "TRAINLYTICS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        "TRAINLYTICS_RATE_LIMIT_PER_MINUTE": "1",
        "TRAINLYTICS_RATE_LIMIT_BURST": "3",
        "TRAINLYTICS_WEBHOOK_RATE_LIMIT_PER_MINUTE": "1",
        "TRAINLYTICS_WEBHOOK_RATE_LIMIT_BURST": "3",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    subprocess.run([TRAINLYTICS, "migrate"], cwd=ROOT, env=env, check=True, timeout=120)
    return env


def start_web(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """`trainlytics run web` as the Procfile starts it, on a free port."""
    port = free_port()
    proc = subprocess.Popen(
        [TRAINLYTICS, "run", "web"],
        cwd=ROOT,
        env={**env, "TRAINLYTICS_PORT": str(port)},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, f"http://127.0.0.1:{port}"


def output(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


async def started_web(
    env: dict[str, str], log: Path, processes: list[subprocess.Popen]
) -> tuple[subprocess.Popen, str]:
    """Start the role, registered in `processes` at once (stopped even if it never answers)."""
    proc, base = start_web(env, log)
    processes.append(proc)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_S
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"{base}/health")).status_code == 200:
                    return proc, base
            except httpx.TransportError:
                pass
            assert proc.poll() is None and loop.time() < deadline, output(log)
            await asyncio.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        stop(proc)


async def spoofing(client: httpx.AsyncClient, url: str, count: int) -> list[int]:
    """`count` requests, each claiming to be forwarded for a different address."""
    codes = []
    for i in range(count):
        spoof = {"X-Forwarded-For": f"198.51.100.{i + 1}", "X-Forwarded-Proto": "https"}
        codes.append((await client.post(url, json={}, headers=spoof)).status_code)
    return codes


async def test_the_web_role_ignores_forwarded_headers_from_the_local_network(tmp_path, processes):
    env = role_env(tmp_path)
    _, base = await started_web(env, tmp_path / "web.log", processes)
    async with httpx.AsyncClient(base_url=base) as attacker:
        calendar = [
            (
                await attacker.get(
                    f"/calendar/guess{i}", headers={"X-Forwarded-For": f"10.0.0.{i}"}
                )
            ).status_code
            for i in range(1, 6)
        ]
        assert calendar[:3] == [404, 404, 404] and calendar[3:] == [429, 429]
        # Webhooks have their own per-source budget, spoofed or not.
        webhooks = await spoofing(attacker, "/webhooks/strava", 5)
        assert [code == 429 for code in webhooks] == [False, False, False, True, True]
        health = await attacker.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in health.headers  # the spoofed https too


async def test_only_a_configured_proxy_is_believed_and_only_for_the_hop_it_saw(db, clock, tmp_path):
    settings = make_settings(
        tmp_path, rate_limit_per_minute=1, rate_limit_burst=2, trusted_proxies="10.0.0.0/8"
    )
    app = build_web_app(build_container(settings, clock=clock, db=db))

    def from_peer(ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 4242))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with from_peer("10.1.2.3") as proxy, from_peer("192.168.1.20") as neighbour:
        # Through the proxy, the attacker's own header is kept in front of the address the
        # proxy appends: the right-most address not a proxy is the one limited.
        forged = [
            (
                await proxy.get(
                    "/calendar/x", headers={"X-Forwarded-For": f"203.0.113.{i}, 198.51.100.7"}
                )
            ).status_code
            for i in range(3)
        ]
        assert forged == [404, 404, 429]
        other = await proxy.get("/calendar/x", headers={"X-Forwarded-For": "198.51.100.8"})
        assert other.status_code == 404  # another client behind the proxy has its own budget
        # A peer that is not a configured proxy is limited by its own address.
        direct = [
            (
                await neighbour.get("/calendar/x", headers={"X-Forwarded-For": f"10.9.9.{i}"})
            ).status_code
            for i in range(3)
        ]
        assert direct == [404, 404, 429]
        https = await proxy.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" in https.headers  # the proxy's word counts


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start(tmp_path):
    with pytest.raises(ValidationError, match="TRAINLYTICS_TRUSTED_PROXIES"):
        make_settings(tmp_path, trusted_proxies="10.0.0.0/8, proxy.internal")


async def test_limits_hold_per_process_while_redis_is_down(db, clock, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings = make_settings(tmp_path, webhook_rate_limit_per_minute=1, webhook_rate_limit_burst=2)
    down = RedisTokenBuckets.from_url(f"redis://127.0.0.1:{closed}/0")
    container = build_container(settings, clock=clock, db=db)
    container.web_limiter = down
    app = build_web_app(container)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        codes = [(await client.post("/webhooks/strava", json={})).status_code for _ in range(3)]
    await down.aclose()
    assert codes == [404, 404, 429]  # Strava unconfigured here: 404 until limited


@pytest.fixture
async def redis_env(tmp_path) -> AsyncIterator[dict[str, str]]:
    if not REDIS_URL:
        pytest.skip("TRAINLYTICS_TEST_REDIS_URL is not set: no Redis to share limits through")
    queue = f"trainlytics-test-{uuid.uuid4().hex[:10]}"
    yield role_env(tmp_path, TRAINLYTICS_REDIS_URL=REDIS_URL, TRAINLYTICS_JOBS_QUEUE_NAME=queue)
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    keys = [k async for k in redis.scan_iter(f"{queue}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def test_two_web_processes_share_one_budget_through_redis(tmp_path, redis_env, processes):
    _, first_url = await started_web(redis_env, tmp_path / "web1.log", processes)
    _, second_url = await started_web(redis_env, tmp_path / "web2.log", processes)
    async with httpx.AsyncClient() as attacker:
        spent = [(await attacker.get(f"{first_url}/calendar/g{i}")).status_code for i in range(3)]
        assert spent == [404, 404, 404]
        assert (await attacker.get(f"{second_url}/calendar/g")).status_code == 429
        webhooks = [
            await spoofing(attacker, f"{url}/webhooks/strava", 2) for url in (first_url, second_url)
        ]
        assert [[code == 429 for code in codes] for codes in webhooks] == [
            [False, False],
            [False, True],
        ]


async def test_the_composition_root_shares_limits_only_when_redis_is_configured(
    db, clock, tmp_path
):
    without = build_container(make_settings(tmp_path), clock=clock, db=db)
    assert without.web_limiter is None
    await without.aclose()
    with_redis = build_container(
        make_settings(tmp_path, redis_url="redis://127.0.0.1:6379/0"), clock=clock, db=db
    )
    assert isinstance(with_redis.web_limiter, RedisTokenBuckets)
    await with_redis.aclose()
