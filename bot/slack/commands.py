"""`/trainlytics <sub> ...`: every subcommand is a conversation command.

The slash command becomes the conversation's COMMAND request (`bot.slack.conversation`),
handled by the same handlers as Telegram's and the console's: help, roster, athlete,
invite, plan, assign, move, comment, digest, feed, link, settings... Its answer is the
command's private (ephemeral) acknowledgement; a reply asking for fields opens its modal
(`bot.slack.modals.open_form`). What stays Slack's: the digest's action rows under the
conversation's digest, and the conversation buttons' answers (replacing the pressed
private answer, else a DM).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.conversation.dispatcher import Conversation
from bot.slack import conversation as face
from bot.slack import modals
from bot.slack.blocks import CALLBACK_ACTION_PREFIX, MESSAGE_BLOCK_LIMIT, fallback
from bot.slack.people import coach_for
from core.services import Services

log = logging.getLogger(__name__)

COMMAND = "/trainlytics"
Answer = face.Answer


async def run_subcommand(
    container: Services, conversation: Conversation, body: dict[str, Any], client: Any
) -> Answer:
    text = (body.get("text") or "").strip()
    name, _, args = text.partition(" ")
    name = name.lower() or "help"
    replies = await face.command(conversation, body, client, name, args.strip())
    await modals.open_forms(client, body.get("trigger_id", ""), replies)
    text, blocks = face.render(replies)
    if name == "digest":
        blocks += await _digest_actions(container, body)
    return text, blocks[:MESSAGE_BLOCK_LIMIT]


async def _digest_actions(container: Services, body: dict[str, Any]) -> list[dict[str, Any]]:
    from bot.slack.digest import action_rows

    async with container.db.unit_of_work() as session:
        coach = await coach_for(session, body.get("team_id", ""), body["user_id"])
        return await action_rows(session, container.clock, coach)


def register(app: AsyncApp, container: Services) -> None:
    """The slash command, the conversation's buttons and the modals, on one conversation
    (its jobs: after a reminder or timezone change, as for Telegram and the console)."""
    conversation = face.conversation_for(
        container.db, container.clock, container.settings, jobs=container.jobs
    )

    @app.command(COMMAND)
    async def on_command(ack: Any, body: dict[str, Any], client: Any) -> None:
        text, blocks = await run_subcommand(container, conversation, body, client)
        await ack(text=fallback(text), blocks=blocks)

    @app.action(re.compile(f"^{re.escape(CALLBACK_ACTION_PREFIX)}"))
    async def on_conversation_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, respond: Any
    ) -> None:
        """A button the conversation drew: its answer replaces the pressed message when
        it was the command's private answer, else comes as a DM."""
        await ack()
        replies = await face.button(conversation, body, action.get("value", ""))
        await modals.open_forms(client, body.get("trigger_id", ""), replies)
        text, blocks = face.render(replies)
        if body.get("response_url"):
            await respond(text=fallback(text), blocks=blocks, replace_original=False)
        else:
            await client.chat_postMessage(
                channel=body["user"]["id"], text=fallback(text), blocks=blocks
            )

    modals.register(app, container, conversation)
