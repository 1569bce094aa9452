"""What a sender receives and returns, and how it signals trouble.

The platform-specific part of delivery is small:

    class Sender(Protocol):
        platform: str                                  # "telegram", "slack", "console"
        async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt

A sender renders `view` (kind, payload, the person, an optional PNG) for its platform and
returns `SentReceipt(external_message_id)`. When `view.edit_of` is set (rows of one
progress message, e.g. a backfill's figures) it edits that message in place instead
(Telegram editMessageText, Slack chat.update) and returns the id of the message shown.
It signals trouble by raising:

- `RetryAfter(seconds)`    the platform asked us to slow down (HTTP 429 retry_after);
- `RecipientUnreachable`   the person blocked the bot / left the workspace: never retried;
- `TemporaryFailure`       outage, timeout, 5xx: retried with exponential backoff + jitter;
- `PermanentFailure`       the message itself is refused (bad request): not retried.
Any other exception is treated as temporary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from core.outbox.payloads import NotificationPayload


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    locale: str
    timezone: str


@dataclass(frozen=True)
class ChatTarget:
    """Where to send: one chat identity of the person."""

    platform: str
    chat_id: str
    workspace_id: str = ""  # Slack team id; "" elsewhere
    identity_id: int | None = None


@dataclass(frozen=True)
class NotificationView:
    """One outbox row as a sender sees it. Rendering text per kind is the sender's job."""

    notification_id: int
    kind: str
    # The row's JSON as stored (senders keep their own bookkeeping in it) and the same
    # read back as its kind's type, validated when the row was claimed.
    payload: Mapping[str, Any]
    person: Person
    target: ChatTarget
    idempotency_key: str
    image_png: bytes | None = None  # e.g. the weekly load chart
    # The platform's id of the message this one replaces in place (a progress figure, see
    # `progress_group`): the sender edits it, and sends a new message only when the old
    # one cannot be edited any more. None: a new message.
    edit_of: str | None = None
    typed: NotificationPayload | None = None


@dataclass(frozen=True)
class SentReceipt:
    external_message_id: str | None = None


class DeliveryError(Exception):
    """Base of what a sender raises; `str(exc)` is kept in the row's last_error."""


class RetryAfter(DeliveryError):
    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"rate limited, retry after {seconds:g} s")
        self.seconds = max(0.0, float(seconds))


class RecipientUnreachable(DeliveryError):
    """The person blocked the bot or left: stop sending to this chat identity."""


class TemporaryFailure(DeliveryError):
    """The platform is down or timed out: try again later."""


class PermanentFailure(DeliveryError):
    """The platform refuses this message for good."""


class Sender(Protocol):
    platform: str

    async def send(self, recipient: ChatTarget, view: NotificationView) -> SentReceipt: ...
