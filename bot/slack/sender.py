"""The outbox sender for Slack (core.outbox.delivery's `Sender` protocol).

Renders each notification kind a coach receives and posts it through the workspace's bot
token. Slack's answers become core.outbox.delivery's errors:

- HTTP 429 → `RetryAfter(Retry-After)`;
- the channel or person is gone (channel_not_found, not_in_channel, account_inactive...)
  → `RecipientUnreachable`;
- the message itself is refused (invalid_blocks, msg_too_long...) → `PermanentFailure`;
- anything else (internal_error, 5xx, timeouts) → `TemporaryFailure`.

The delivery loop already takes a token from the recipient's chat bucket; a message that
goes to another channel (the coach's private feed channel) takes one from that channel's
bucket here, so Slack's ~1 message/s per channel holds there too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import fallback
from core.clock import Clock
from core.db.engine import Database
from core.enums import Platform
from core.outbox.delivery import MAX_INLINE_WAIT_S
from core.outbox.limits import DEFAULT_LIMITS, RateLimiter, buckets_for
from core.outbox.sending import (
    ChatTarget,
    NotificationView,
    PermanentFailure,
    RecipientUnreachable,
    RetryAfter,
    SentReceipt,
    TemporaryFailure,
)

log = logging.getLogger(__name__)

UNREACHABLE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "team_access_not_granted",
        "invalid_auth",
        "token_revoked",
        "not_authed",
    }
)
REFUSED = frozenset(
    {
        "invalid_blocks",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_attachments",
        "thread_not_found",
    }
)


def translate(error: SlackApiError) -> Exception:
    """core.outbox.delivery's error for a Slack Web API failure."""
    response = error.response
    code = str(response.get("error", "")) if response is not None else ""
    if response is not None and response.status_code == 429:
        retry = response.headers.get("Retry-After") or response.headers.get("retry-after")
        return RetryAfter(float(retry or 1), f"Slack rate limit ({code or 'ratelimited'})")
    if code in UNREACHABLE:
        return RecipientUnreachable(f"Slack: {code}")
    if code in REFUSED:
        return PermanentFailure(f"Slack refused the message: {code}")
    return TemporaryFailure(f"Slack: {code or 'unexpected answer'}")


class SlackPoster:
    """Web API calls for one workspace, with per-channel limits and translated errors."""

    def __init__(
        self,
        client: AsyncWebClient,
        team_id: str,
        limiter: RateLimiter | None,
        delivery_channel: str | None = None,
    ) -> None:
        self.client = client
        self.team_id = team_id
        self._limiter = limiter
        self._delivery_channel = delivery_channel
        self._delivery_dm: str | None = None

    async def call(self, method: Callable[..., Awaitable[Any]], **kwargs: Any) -> Any:
        try:
            return await method(**kwargs)
        except SlackApiError as exc:
            raise translate(exc) from exc

    async def dm_channel(self, user_or_channel: str) -> str:
        """The DM channel id for a user id ("U…"); other ids are channels already."""
        if not user_or_channel.startswith(("U", "W")):
            return user_or_channel
        opened = await self.call(self.client.conversations_open, users=user_or_channel)
        channel = opened["channel"]["id"]
        if user_or_channel == self._delivery_channel:
            # The recipient's DM is the chat the delivery loop already took a token for.
            self._delivery_dm = channel
        return channel

    async def _take_token(self, channel: str) -> None:
        if self._limiter is None or channel in (self._delivery_channel, self._delivery_dm):
            return
        target = ChatTarget(platform=Platform.SLACK, chat_id=channel, workspace_id=self.team_id)
        buckets = buckets_for(target, DEFAULT_LIMITS)
        while (wait := await self._limiter.try_acquire(buckets)) > 0:
            if wait > MAX_INLINE_WAIT_S:
                raise RetryAfter(wait, f"channel {channel} is busy")
            await asyncio.sleep(wait)

    async def post(self, channel: str, text: str, blocks: list[dict[str, Any]], **kw: Any) -> Any:
        """`text` is plain: it is escaped here, once, like every message text we send."""
        await self._take_token(channel)
        return await self.call(
            self.client.chat_postMessage, channel=channel, text=fallback(text), blocks=blocks, **kw
        )

    async def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> Any:
        return await self.call(
            self.client.chat_update, channel=channel, ts=ts, text=fallback(text), blocks=blocks
        )

    async def delete(self, channel: str, ts: str) -> None:
        try:
            await self.client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as exc:
            if (exc.response or {}).get("error") != "message_not_found":
                raise translate(exc) from exc

    async def upload_png(
        self, channel: str, png: bytes, filename: str, title: str, thread_ts: str | None = None
    ) -> Any:
        await self._take_token(channel)
        return await self.call(
            self.client.files_upload_v2,
            channel=channel,
            content=png,
            filename=filename,
            title=title,
            thread_ts=thread_ts,
        )


async def client_for_team(app: AsyncApp, team_id: str) -> AsyncWebClient:
    """The bot client for a workspace: the single token, or the installed bot's token."""
    if app.installation_store is None:
        return app.client
    bot = await app.installation_store.async_find_bot(enterprise_id=None, team_id=team_id)
    if bot is None or not bot.bot_token:
        raise RecipientUnreachable(f"Trainlytics is not installed in Slack workspace {team_id}.")
    return AsyncWebClient(token=bot.bot_token, base_url=app.client.base_url)


class SlackSender:
    """core.outbox.delivery.Sender for Slack."""

    platform = str(Platform.SLACK)

    def __init__(
        self, app: AsyncApp, db: Database, clock: Clock, limiter: RateLimiter | None = None
    ) -> None:
        self.app = app
        self.db = db
        self.clock = clock
        self.limiter = limiter

    async def poster(self, team_id: str, delivery_channel: str | None = None) -> SlackPoster:
        client = await client_for_team(self.app, team_id)
        return SlackPoster(client, team_id, self.limiter, delivery_channel)

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt:
        from bot.slack import digest, feed

        poster = await self.poster(recipient.workspace_id, recipient.chat_id)
        renderer = {
            "activity_recorded": feed.deliver_activity,
            "sync_status": feed.deliver_activity_changed,
            "athlete_comment": feed.deliver_athlete_comment,
            "check_in": feed.deliver_check_in,
            "coach_digest": digest.deliver_digest,
        }.get(view.kind, feed.deliver_generic)
        return await renderer(self, poster, recipient, view)
