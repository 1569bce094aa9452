"""Multi-step conversation state kept in aiogram's FSM storage.

Redis when `TRAINLYTICS_REDIS_URL` is set, so every web/worker process sees the same
state; process memory otherwise (the embedded single-process mode). The conversation
layer only sees its `ConversationState` protocol; `FsmConversationState` maps it onto
aiogram's storage instead of keeping a second store next to aiogram's own.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.conversation.state import StateKey
from core.settings import Settings


def build_fsm_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


class FsmConversationState:
    """`bot.conversation.state.ConversationState` on top of an aiogram FSM storage."""

    def __init__(self, storage: BaseStorage, bot_id: int) -> None:
        self.storage = storage
        self.bot_id = bot_id

    def _key(self, key: StateKey) -> StorageKey:
        # Telegram chat and user ids are integers; anything else is not a Telegram key.
        try:
            chat_id, user_id = int(key.chat_id), int(key.user_id)
        except ValueError as exc:
            raise ValueError(f"Not a Telegram conversation key: {key!r}") from exc
        return StorageKey(bot_id=self.bot_id, chat_id=chat_id, user_id=user_id)

    async def get(self, key: StateKey) -> dict[str, Any]:
        return dict(await self.storage.get_data(self._key(key)))

    async def set(self, key: StateKey, value: dict[str, Any]) -> None:
        await self.storage.set_data(self._key(key), dict(value))

    async def clear(self, key: StateKey) -> None:
        storage_key = self._key(key)
        await self.storage.set_state(storage_key, None)
        await self.storage.set_data(storage_key, {})
