"""`/webhooks/{provider}`: authenticate, store each event once, queue its processing.

The endpoint does no provider call and no activity work: it checks the delivery
(Strava subscription id, Polar HMAC, Garmin client-id header, COROS client/secret
headers), stores the events (unique on provider + event key, so a redelivery is a
no-op), queues `trainlytics.sync.process_event` and answers within milliseconds. A
delivery that fails authentication gets 401/403 and stores nothing; a body that cannot
be read gets 400.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from core.sync.orchestrator import store_webhook_events
from core.sync.providers.base import MalformedWebhook, WebhookRejected
from core.sync.providers.coros import WEBHOOK_ACK
from trainlytics.container import Container
from web.app import container_of
from workers.tasks.sync import enqueue_events, sync_context_of

log = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

PROVIDERS = ("strava", "garmin", "polar", "coros")


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


@router.get("/strava")
async def strava_challenge(
    request: Request, container: Container = Depends(container_of)
) -> Response:
    """Strava's subscription validation: echo the challenge only for our verify token."""
    provider = sync_context_of(container).providers.get("strava")
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
async def receive(
    provider_name: str, request: Request, container: Container = Depends(container_of)
) -> Response:
    ctx = sync_context_of(container)
    provider = ctx.providers.get(provider_name)
    if provider is None:
        return _error(404, "unknown or unconfigured provider")
    raw_body = await request.body()
    try:
        provider.verify_webhook(request.headers, raw_body, dict(request.query_params))
        events = provider.parse_webhook(raw_body)
    except WebhookRejected as exc:
        log.warning("%s webhook rejected: %s", provider_name, exc.reason)
        return _error(exc.status_code or 401, exc.reason)
    except MalformedWebhook as exc:
        return _error(400, exc.reason)
    # Pings without an athlete (Polar's creation PING, COROS probes) carry nothing to do.
    events = [e for e in events if e.provider_user_id]
    if events:
        async with ctx.db.unit_of_work() as session:
            new_ids = await store_webhook_events(session, ctx.clock, provider_name, events)
        await enqueue_events(new_ids)
    if provider_name == "coros":
        return JSONResponse(WEBHOOK_ACK)
    return Response(status_code=200)
