"""`/webhooks/{provider}`: authenticate, store each event once, queue its processing.

The endpoint does no provider call and no activity work: it checks the delivery
(Strava subscription id, Polar HMAC, Garmin client-id header, COROS client/secret
headers), stores the events (unique on provider + event key, so a redelivery is a
no-op), queues `trainlytics.sync.process_event` and answers within milliseconds.

A delivery that fails authentication, or whose body cannot be read, stores nothing and
gets exactly the answer an accepted one gets: a 403 for a wrong Strava subscription id
against a 200 for the right one let anyone find the id by trying (docs/security.md). The
reason is logged. What an event claims is checked with the provider when it is processed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from core.jobs import JobQueue
from core.sync.build import SyncContext
from core.sync.orchestrator import store_webhook_deliveries
from core.sync.providers.base import MalformedWebhook, WebhookRejected
from core.sync.providers.base import WebhookEvent as ProviderEvent
from core.sync.providers.coros import WEBHOOK_ACK

log = logging.getLogger(__name__)


class GroupCommit:
    """Stores the events of concurrent deliveries in one transaction, then answers each.

    Every delivery is acknowledged only after its events are committed, but a commit
    (an fsync) is shared by all deliveries waiting at that moment, rather than paid by
    each: on SQLite the writes are serial anyway, and one transaction per request made
    the queue, not the work, dominate the latency.
    """

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx
        self._waiting: list[tuple[str, list[ProviderEvent], asyncio.Future[list[int]]]] = []
        self._writer = asyncio.Lock()

    async def store(self, provider_name: str, events: list[ProviderEvent]) -> list[int]:
        done: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._waiting.append((provider_name, events, done))
        async with self._writer:
            if not done.done():  # nobody wrote it while we waited: write everyone's
                batch, self._waiting = self._waiting, []
                await self._write(batch)
        return await done

    async def _write(
        self, batch: list[tuple[str, list[ProviderEvent], asyncio.Future[list[int]]]]
    ) -> None:
        try:
            async with self._ctx.db.unit_of_work() as session:
                results = await store_webhook_deliveries(
                    session, self._ctx.clock, [(name, events) for name, events, _ in batch]
                )
        except Exception as exc:  # every delivery in the batch gets the error (a 500)
            for _, _, done in batch:
                done.set_exception(exc)
            return
        for (_, _, done), ids in zip(batch, results, strict=True):
            done.set_result(ids)


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


@dataclass
class WebhookDoor:
    """What the webhook routes use: the providers, one group committer, the job queue."""

    sync: SyncContext
    jobs: JobQueue
    writes: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.writes = GroupCommit(self.sync)


def install(app: FastAPI, door: WebhookDoor) -> None:
    """Mount `/webhooks/...` on the app.

    The routes close over `door` rather than asking FastAPI for it per request: a
    dependency is a second resolution pass per request, and this endpoint's throughput is
    what a provider's burst of deliveries meets (bench/bench_webhooks.py).
    """
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])

    @router.get("/strava")
    async def strava_challenge(request: Request) -> Response:
        """Strava's subscription validation: echo the challenge only for our verify token."""
        provider = door.sync.providers.get("strava")
        if provider is None:
            return _error(404, "Strava is not configured")
        try:
            answer = provider.subscription_challenge(dict(request.query_params))  # type: ignore[attr-defined]
        except WebhookRejected as exc:
            return _error(exc.status_code or 403, exc.reason)
        except MalformedWebhook as exc:
            return _error(400, exc.reason)
        return JSONResponse(answer)

    @router.post("/{provider_name}")
    async def receive(provider_name: str, request: Request) -> Response:
        return await _receive(door, provider_name, request)

    app.include_router(router)


async def _receive(door: WebhookDoor, provider_name: str, request: Request) -> Response:
    provider = door.sync.providers.get(provider_name)
    if provider is None:
        return _error(404, "unknown or unconfigured provider")
    raw_body = await request.body()
    try:
        provider.verify_webhook(request.headers, raw_body, dict(request.query_params))
        events = provider.parse_webhook(raw_body)
    except (WebhookRejected, MalformedWebhook) as exc:
        log.warning("%s webhook rejected: %s", provider_name, exc.reason)
        return _acknowledgement(provider_name)
    # Pings without an athlete (Polar's creation PING, COROS probes) carry nothing to do.
    events = [e for e in events if e.provider_user_id]
    if events:
        stored = await door.writes.store(provider_name, events)
        try:
            await door.jobs.enqueue_events(stored)
        except Exception:
            # The events are stored: the 5-minute sync sweep queues stranded events again,
            # whereas an error here would only bring a redelivery that stores nothing new.
            log.exception("%s webhook: %d stored events not queued", provider_name, len(stored))
    return _acknowledgement(provider_name)


def _acknowledgement(provider_name: str) -> Response:
    """The one answer every delivery gets, accepted or not."""
    if provider_name == "coros":
        return JSONResponse(WEBHOOK_ACK)
    return Response(status_code=200)
