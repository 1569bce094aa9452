"""The coach's Slack app: a slack-bolt `AsyncApp` built from settings.

Two ways to run it:

- single workspace: `TRAINLYTICS_SLACK_BOT_TOKEN` (+ the signing secret) — the token of an
  app installed by hand into one workspace;
- several workspaces: `TRAINLYTICS_SLACK_CLIENT_ID` / `_CLIENT_SECRET` (+ the signing
  secret) — each workspace installs through `/slack/install`, and slack_sdk's async
  SQLAlchemy stores keep the installations and OAuth states in our database (tables made
  by our migrations, see bot/slack/tables.py).

Every Web API call goes to `TRAINLYTICS_SLACK_API_BASE`, so tests point the app at a fake.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.tables import BOTS_TABLE, INSTALLATIONS_TABLE, STATES_TABLE
from core.services import Services
from core.settings import Settings

log = logging.getLogger(__name__)

# What the bot needs: post and edit messages, DM coaches, slash commands, charts, App Home.
BOT_SCOPES = (
    "chat:write",
    "commands",
    "files:write",
    "im:write",
    "im:history",
    "groups:history",
    "users:read",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
EVENTS_PATH = "/slack/events"
OAUTH_STATE_TTL_S = 600


class SlackNotConfigured(RuntimeError):
    """Slack settings are missing: the Slack routes answer 404."""


def slack_mode(settings: Settings) -> str | None:
    """ "single", "oauth", or None when Slack is not configured."""
    if not settings.slack_signing_secret:
        return None
    if settings.slack_bot_token:
        return "single"
    if settings.slack_client_id and settings.slack_client_secret:
        return "oauth"
    return None


def build_slack_app(container: Services) -> AsyncApp:
    """The app with every listener registered (the root builds it when `slack_mode` says so)."""
    settings = container.settings
    mode = slack_mode(settings)
    if mode is None:
        raise SlackNotConfigured(
            "Set TRAINLYTICS_SLACK_SIGNING_SECRET and either TRAINLYTICS_SLACK_BOT_TOKEN or "
            "TRAINLYTICS_SLACK_CLIENT_ID and TRAINLYTICS_SLACK_CLIENT_SECRET."
        )
    if mode == "single":
        app = AsyncApp(
            signing_secret=settings.slack_signing_secret,
            client=AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_base),
            logger=log,
        )
    else:
        app = _oauth_app(container)
    from bot.slack import commands, digest, feed, home, redelivery

    app.middleware(redelivery.skip_redelivered_events(container.db))
    commands.register(app, container)
    home.register(app, container)
    feed.register(app, container)
    digest.register(app, container)
    return app


def _oauth_app(container: Services) -> AsyncApp:
    settings = container.settings
    assert settings.slack_client_id and settings.slack_client_secret
    installations = AsyncSQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=container.db.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
        logger=log,
    )
    states = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=OAUTH_STATE_TTL_S,
        engine=container.db.engine,
        table_name=STATES_TABLE,
        logger=log,
    )
    redirect_uri = (
        f"{settings.public_url.rstrip('/')}{REDIRECT_PATH}" if settings.public_url else None
    )
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        redirect_uri=redirect_uri,
    )
    return AsyncApp(
        signing_secret=settings.slack_signing_secret,
        client=AsyncWebClient(base_url=settings.slack_api_base),
        oauth_settings=oauth_settings,
        # Without the cache Bolt calls auth.test on every request it authorizes.
        authorize=AsyncInstallationStoreAuthorize(
            installation_store=installations,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            cache_enabled=True,
            logger=log,
        ),
        installation_store=installations,
        logger=log,
    )


async def close_slack_app(app: AsyncApp) -> None:
    """Close the HTTP session of the app's Web API client, if it opened one."""
    session = getattr(app.client, "session", None)
    if session is not None and not session.closed:
        await session.close()
