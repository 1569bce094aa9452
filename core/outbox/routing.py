"""Which of a person's chats a notification goes to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.enums import NotificationKind, Platform, Role
from core.outbox.quiet_hours import RecipientLike
from core.outbox.sending import ChatTarget


class ChatLike(Protocol):
    """What the rules read of a chat identity: a `ChatIdentity`, or a plain row."""

    @property
    def id(self) -> int: ...
    @property
    def platform(self) -> str: ...
    @property
    def workspace_id(self) -> str: ...
    @property
    def platform_user_id(self) -> str: ...
    @property
    def chat_id(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def unreachable_at(self) -> datetime | None: ...


COACH_KINDS = frozenset(
    {
        NotificationKind.ATHLETE_COMMENT,
        NotificationKind.WORKOUT_COMPLETED,
        NotificationKind.ACTIVITY_RECORDED,
        NotificationKind.COACH_DIGEST,
    }
)


def choose_target(
    user: RecipientLike, identities: Sequence[ChatLike], kind: str, platforms: Sequence[str]
) -> ChatTarget | None:
    """The person's reachable chat: Slack first for coaches, Telegram first for athletes.

    Only platforms with a configured sender count; console is the last resort.
    """
    coach_side = user.role == Role.COACH or (user.role == Role.BOTH and kind in COACH_KINDS)
    order = (
        [Platform.SLACK, Platform.TELEGRAM, Platform.CONSOLE]
        if coach_side
        else [Platform.TELEGRAM, Platform.SLACK, Platform.CONSOLE]
    )
    usable = [
        i for i in identities if i.active and i.unreachable_at is None and i.platform in platforms
    ]
    for platform in order:
        for identity in usable:
            if identity.platform == platform:
                return ChatTarget(
                    platform=identity.platform,
                    chat_id=identity.chat_id or identity.platform_user_id,
                    workspace_id=identity.workspace_id,
                    identity_id=identity.id,
                )
    return None
