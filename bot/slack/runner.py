"""The Slack side of `trainlytics run`: nothing to poll, Slack calls us over HTTP."""

from __future__ import annotations

import logging

from bot.slack.app import EVENTS_PATH, slack_mode
from core.settings import Settings

log = logging.getLogger(__name__)


async def run_slack(settings: Settings) -> None:
    """Say whether the Slack app is served, and how; then return (nothing runs here).

    Slack delivers events, commands and button presses to the web app's POST
    /slack/events; the outbox sender for Slack is used by the delivery worker.
    """
    mode = slack_mode(settings)
    if mode is None:
        log.info("Slack not configured (no signing secret and token or client id): skipped")
        return
    where = (settings.public_url or "the web app").rstrip("/")
    log.info("Slack app in %s-workspace mode, events at %s%s", mode, where, EVENTS_PATH)
