"""Platform-neutral conversation: a `Request` in, a list of `Reply` out.

See `bot.conversation.types` for the request/reply shapes, `bot.conversation.callbacks`
for button data, `bot.conversation.state` for multi-step state.
"""

from bot.conversation.context import ConversationSettings
from bot.conversation.dispatcher import Conversation

__all__ = ["Conversation", "ConversationSettings"]
