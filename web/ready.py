"""Readiness: 200 when the database and the job broker answer, 503 naming the one that did not.

A load balancer stops sending traffic to a process that answers 503 here; /health (alive)
stays 200 so the process is not restarted for a database outage it cannot fix.
"""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core.services import Services
from web.deps import ServicesDep

router = APIRouter()
log = structlog.get_logger("trainlytics.web.ready")
CHECK_TIMEOUT_S = 3.0


async def database_ok(container: Services) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            async with container.db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the log says which
        log.warning("ready_check_failed", check="database", error=repr(exc))
        return False
    return True


async def broker_ok(container: Services) -> bool:
    url = container.settings.redis_url
    if not url:
        return True  # in-process jobs: the broker is this process
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_S)
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await client.ping()
    except Exception as exc:
        log.warning("ready_check_failed", check="broker", error=repr(exc))
        return False
    finally:
        await client.aclose()
    return True


@router.api_route("/ready", methods=["GET", "HEAD"], include_in_schema=False)
async def ready(container: ServicesDep) -> JSONResponse:
    database, broker = await asyncio.gather(database_ok(container), broker_ok(container))
    checks = {
        "database": "ok" if database else "unreachable",
        "broker": "ok" if broker else "unreachable",
    }
    healthy = database and broker
    return JSONResponse(
        {"status": "ready" if healthy else "unavailable", "checks": checks},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )
