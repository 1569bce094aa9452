"""`/`: one screen saying what this server is, where its bot is, and that it is healthy.

A person who opens the server's address (from a link, or after `make run`) used to get a
JSON 404. The page names the Telegram bot (a t.me link when
TRAINLYTICS_TELEGRAM_BOT_USERNAME is set), the Slack install when Slack is distributed,
the console chat for a local try, and links /health. It shows nothing private.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from web.calendar import stylesheet_url, templates
from web.deps import ServicesDep

router = APIRouter()


@router.api_route(
    "/", methods=["GET", "HEAD"], include_in_schema=False, response_class=HTMLResponse
)
async def root(request: Request, container: ServicesDep) -> Response:
    settings = container.settings
    username = (settings.telegram_bot_username or "").lstrip("@")
    response = templates.TemplateResponse(
        request,
        "root.html",
        {
            "telegram_url": f"https://t.me/{username}" if username else None,
            "telegram_name": f"@{username}" if username else None,
            "telegram_on": bool(settings.telegram_bot_token),
            "slack_install": bool(settings.slack_client_id and settings.slack_client_secret),
            "stylesheet": stylesheet_url(),
        },
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
