"""FastAPI routes of the Slack app: events/commands/interactivity, install, OAuth redirect.

Bolt's `AsyncSlackRequestHandler` does the work (signature and 5-minute timestamp check,
401 otherwise; acknowledgement; the OAuth flow). When Slack is not configured the routes
answer 404, as if they did not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp

from bot.slack.app import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH


def install(app: FastAPI, slack: AsyncApp | None) -> None:
    """Mount Slack's routes; without an app (Slack not configured) they answer 404."""
    handler = AsyncSlackRequestHandler(slack) if slack is not None else None
    router = APIRouter()

    def events() -> AsyncSlackRequestHandler:
        if handler is None:
            raise HTTPException(status_code=404)
        return handler

    def oauth() -> AsyncSlackRequestHandler:
        if handler is None or handler.app.oauth_flow is None:  # single-workspace: no install
            raise HTTPException(status_code=404)
        return handler

    @router.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await events().handle(request)

    @router.get(INSTALL_PATH, include_in_schema=False)
    async def slack_install(request: Request) -> Response:
        return await oauth().handle(request)

    @router.get(REDIRECT_PATH, include_in_schema=False)
    async def slack_oauth_redirect(request: Request) -> Response:
        return await oauth().handle(request)

    app.include_router(router)
