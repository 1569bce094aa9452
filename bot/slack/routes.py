"""FastAPI routes of the Slack app: events/commands/interactivity, install, OAuth redirect.

Bolt's `AsyncSlackRequestHandler` does the work (signature and 5-minute timestamp check,
401 otherwise; acknowledgement; the OAuth flow). When Slack is not configured the routes
answer 404, as if they did not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from bot.slack.app import (
    EVENTS_PATH,
    INSTALL_PATH,
    REDIRECT_PATH,
    SlackNotConfigured,
    slack_app_of,
)
from trainlytics.container import Container
from web.app import container_of

router = APIRouter()


def _handler(container: Container) -> AsyncSlackRequestHandler:
    try:
        return AsyncSlackRequestHandler(slack_app_of(container))
    except SlackNotConfigured:
        raise HTTPException(status_code=404) from None


def _oauth_handler(container: Container) -> AsyncSlackRequestHandler:
    handler = _handler(container)
    if handler.app.oauth_flow is None:  # single-workspace mode has nothing to install
        raise HTTPException(status_code=404)
    return handler


@router.post(EVENTS_PATH, include_in_schema=False)
async def slack_events(request: Request, container: Container = Depends(container_of)) -> Response:
    return await _handler(container).handle(request)


@router.get(INSTALL_PATH, include_in_schema=False)
async def slack_install(request: Request, container: Container = Depends(container_of)) -> Response:
    return await _oauth_handler(container).handle(request)


@router.get(REDIRECT_PATH, include_in_schema=False)
async def slack_oauth_redirect(
    request: Request, container: Container = Depends(container_of)
) -> Response:
    return await _oauth_handler(container).handle(request)
