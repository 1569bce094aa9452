"""Where a multi-step conversation (onboarding, a quick log awaiting confirm) keeps its place.

The state is a small JSON-able dict per (platform, chat, user). The conversation layer
only sees the `ConversationState` protocol; the Telegram door backs it with aiogram's
FSM storage (Redis when configured, memory otherwise), the Slack door with a table of its
own read in the request's unit of work (`SessionState`), the console and tests use
`InMemoryConversationState`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.people.identities import ChatAddress


@dataclass(frozen=True)
class StateKey:
    platform: str
    chat_id: str
    user_id: str

    @classmethod
    def of(cls, address: ChatAddress) -> StateKey:
        return cls(
            platform=str(address.platform),
            chat_id=address.chat_id or address.platform_user_id,
            user_id=f"{address.workspace_id}:{address.platform_user_id}"
            if address.workspace_id
            else address.platform_user_id,
        )


class ConversationState(Protocol):
    async def get(self, key: StateKey) -> dict[str, Any]:
        """The stored state, {} when there is none."""
        ...

    async def set(self, key: StateKey, value: dict[str, Any]) -> None: ...

    async def clear(self, key: StateKey) -> None: ...


class SessionState(Protocol):
    """A state kept in the database: the conversation binds it to the unit of work of
    each request (`within`), so the state commits or rolls back with the handling."""

    def within(self, session: AsyncSession) -> ConversationState: ...


class InMemoryConversationState:
    """Process-local state; copies on the way in and out so callers cannot alias it."""

    def __init__(self) -> None:
        self._data: dict[StateKey, dict[str, Any]] = {}

    async def get(self, key: StateKey) -> dict[str, Any]:
        return copy.deepcopy(self._data.get(key, {}))

    async def set(self, key: StateKey, value: dict[str, Any]) -> None:
        self._data[key] = copy.deepcopy(value)

    async def clear(self, key: StateKey) -> None:
        self._data.pop(key, None)
