"""`GET /connect/{provider}` and `GET /oauth/{provider}/callback`, with small HTML pages.

`/connect/{provider}?t=...` opens the signed one-time link the bot sent and redirects to
the provider's consent page with a fresh single-use `state`. The callback spends that
state, stores the tokens and queues the backfill. Every failure gets a plain page that
says what to do next; a provider that is unknown or not configured is a 404.
"""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.errors import DomainError
from core.sync.accounts import begin_connect, complete_connect, open_connect_link
from core.sync.providers.base import ProviderError
from trainlytics.container import Container
from web.app import container_of
from web.calendar import stylesheet_url
from workers.tasks.sync import enqueue_backfill, sync_context_of

log = logging.getLogger(__name__)

router = APIRouter(tags=["oauth"])

NAMES = {"strava": "Strava", "garmin": "Garmin", "polar": "Polar", "coros": "COROS"}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    content = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
        # A stylesheet, not inline styles: the strict CSP of every page forbids those.
        f"<link rel=stylesheet href='{stylesheet_url()}'>"
        f"<main class=message><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p></main>"
        "</html>"
    )
    return HTMLResponse(content, status_code=status)


def _unknown() -> HTMLResponse:
    return page("Not available", "This provider cannot be connected here.", 404)


@router.get("/connect/{provider_name}")
async def connect(
    provider_name: str, t: str = "", container: Container = Depends(container_of)
) -> Response:
    ctx = sync_context_of(container)
    provider = ctx.providers.get(provider_name)
    if provider is None:
        return _unknown()
    if not t:
        return page("Link incomplete", "Open the link exactly as the bot sent it.", 400)
    try:
        async with ctx.db.unit_of_work() as session:
            user_id = await open_connect_link(
                session, ctx.clock, container.settings.secret_key or "", t, provider_name
            )
            url = await begin_connect(session, ctx.clock, provider, user_id)
    except DomainError as exc:
        return page("This link does not work", exc.message, 400)
    return RedirectResponse(url, status_code=303)


@router.get("/oauth/{provider_name}/callback")
async def callback(
    provider_name: str,
    state: str = "",
    code: str = "",
    error: str = "",
    container: Container = Depends(container_of),
) -> Response:
    ctx = sync_context_of(container)
    if provider_name not in ctx.providers:
        return _unknown()
    name = NAMES.get(provider_name, provider_name)
    if error:
        return page(
            f"{name} not connected",
            f"{name} said: {error}. Ask the bot for a new link to try again.",
            400,
        )
    if not state or not code:
        return page(
            "Sign-in incomplete",
            f"{name} did not send everything back. Start again from the bot.",
            400,
        )
    try:
        account = await complete_connect(ctx, provider_name, state, code)
    except DomainError as exc:
        return page(f"{name} not connected", exc.message, 400)
    except ProviderError as exc:
        log.warning("%s code exchange failed: %s", provider_name, exc)
        return page(
            f"{name} not connected",
            f"{name} refused the sign-in. Ask the bot for a new link and try again.",
            502,
        )
    await enqueue_backfill(account.id)
    return page(
        f"{name} connected",
        f"{name} connected, you can close this tab. Your recent activities are being "
        "imported; the bot tells you how it goes.",
    )
