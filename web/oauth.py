"""`GET /connect/{provider}`, `/connect/{provider}/continue` and `/oauth/{provider}/callback`.

A chat link can be forwarded, so opening it proves nothing about who is at the browser
(docs/security.md, "Connecting a provider account"). `/connect/{provider}?t=...` spends
the signed one-time link the bot sent, sets a cookie naming this browser and shows a code
to send in the bot chat. Once the link's owner sent it from their own chat,
`/continue` (the page reloads itself) redirects to the provider with a single-use
`state` bound to the cookie. The callback must bring the same cookie; it spends the
state, stores the tokens and queues the backfill, or, when the provider account belongs
to someone else, says their owner was asked. Every failure gets a plain page that says
what to do next; a provider that is unknown or not configured is a 404.
"""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.errors import DomainError
from core.sync.connections.connect_links import STATE_LIFETIME, browser_code, open_browser_session
from core.sync.connections.oauth_flow import (
    BrowserNotConfirmed,
    begin_confirmed_connect,
    complete_connect,
)
from core.sync.providers.base import ProviderError
from web.calendar import stylesheet_url
from web.deps import JobsDep, SettingsDep, SyncDep

log = logging.getLogger(__name__)

router = APIRouter(tags=["oauth"])

NAMES = {"strava": "Strava", "garmin": "Garmin", "polar": "Polar", "coros": "COROS"}


def page(
    title: str, body: str, status: int = 200, *, extra: str = "", head: str = ""
) -> HTMLResponse:
    """A small page; `extra` and `head` are HTML built here from escaped parts only."""
    content = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"{head}<title>{html.escape(title)}</title>"
        # A stylesheet, not inline styles: the strict CSP of every page forbids those.
        f"<link rel=stylesheet href='{stylesheet_url()}'>"
        f"<main class=message><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>"
        f"{extra}</main></html>"
    )
    return HTMLResponse(content, status_code=status)


def cookie_name(provider_name: str) -> str:
    """One cookie per provider, so connecting two providers in two tabs works."""
    return f"tl_connect_{provider_name}"


def _code_page(provider_name: str, secret: str, *, again: bool = False) -> HTMLResponse:
    """The code to send in chat; the page reloads itself into /continue until it is sent."""
    name = NAMES.get(provider_name, provider_name)
    code = browser_code(secret)
    target = html.escape(f"/connect/{provider_name}/continue", quote=True)
    body = (
        "The bot has not seen the code yet. " if again else ""
    ) + f"To connect {name}, send this message to the bot in your own chat:"
    extra = (
        f"<p class=code><strong>/connect {html.escape(code)}</strong></p>"
        "<p>This page goes on by itself once the bot has it. Did someone send you this "
        "link? Then do not send the code: ask your own bot chat for /connect instead.</p>"
        f"<p><a href='{target}'>Continue</a></p>"
    )
    # A meta refresh, not a script: the strict CSP of every page forbids scripts.
    head = f"<meta http-equiv=refresh content='4;url={target}'>"
    return page(f"Connect {name}", body, extra=extra, head=head)


def _unknown() -> HTMLResponse:
    return page("Not available", "This provider cannot be connected here.", 404)


@router.get("/connect/{provider_name}")
async def connect(provider_name: str, ctx: SyncDep, settings: SettingsDep, t: str = "") -> Response:
    if provider_name not in ctx.providers:
        return _unknown()
    if not t:
        return page("Link incomplete", "Open the link exactly as the bot sent it.", 400)
    try:
        async with ctx.db.unit_of_work() as session:
            opened = await open_browser_session(
                session, ctx.clock, settings.secret_key or "", t, provider_name
            )
    except DomainError as exc:
        return page("This link does not work", exc.message, 400)
    response = _code_page(provider_name, opened.secret)
    response.set_cookie(
        cookie_name(provider_name),
        opened.secret,
        max_age=int(STATE_LIFETIME.total_seconds()) * 2,
        path="/",
        secure=(settings.public_url or "").startswith("https://"),
        httponly=True,
        # Lax: the provider's redirect back to the callback is a top-level GET, which
        # carries it; a cross-site subrequest does not.
        samesite="lax",
    )
    return response


@router.get("/connect/{provider_name}/continue")
async def connect_continue(provider_name: str, request: Request, ctx: SyncDep) -> Response:
    provider = ctx.providers.get(provider_name)
    if provider is None:
        return _unknown()
    secret = request.cookies.get(cookie_name(provider_name), "")
    try:
        async with ctx.db.unit_of_work() as session:
            url = await begin_confirmed_connect(session, ctx.clock, provider, secret)
    except BrowserNotConfirmed:
        return _code_page(provider_name, secret, again=True)
    except DomainError as exc:
        return page("This link does not work", exc.message, 400)
    return RedirectResponse(url, status_code=303)


@router.get("/oauth/{provider_name}/callback")
async def callback(
    provider_name: str,
    request: Request,
    ctx: SyncDep,
    jobs: JobsDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
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
    browser = request.cookies.get(cookie_name(provider_name), "")
    try:
        outcome = await complete_connect(ctx, provider_name, state, code, browser=browser)
    except DomainError as exc:
        return page(f"{name} not connected", exc.message, 400)
    except ProviderError as exc:
        log.warning("%s code exchange failed: %s", provider_name, exc)
        return page(
            f"{name} not connected",
            f"{name} refused the sign-in. Ask the bot for a new link and try again.",
            502,
        )
    if outcome.account is None:
        return page(
            f"{name} account already connected",
            f"This {name} account is connected to another person here. We asked them in "
            "their chat; nothing moves unless they agree, and the bot tells you their answer.",
        )
    await jobs.enqueue_backfill(outcome.account.id)
    return page(
        f"{name} connected",
        f"{name} connected, you can close this tab. Your recent activities are being "
        "imported; the bot tells you how it goes.",
    )
