"""The web app of a process: the web door's routes, then each other door's HTTP routes."""

from __future__ import annotations

from fastapi import FastAPI

from bot.slack import routes as slack_routes
from bot.telegram import webhook as telegram_webhook
from trainlytics.container import Container
from web.app import create_app
from webhooks.routes import WebhookDoor
from webhooks.routes import install as install_webhooks


def build_web_app(container: Container) -> FastAPI:
    app = create_app(container.services, container.sync, rate_limiter=container.web_limiter)
    install_webhooks(app, WebhookDoor(sync=container.sync, jobs=container.jobs))
    telegram_webhook.install(app, container.telegram, container.settings)
    slack_routes.install(app, container.slack)
    return app
