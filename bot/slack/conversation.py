"""Slack as one more face of the conversation: requests in, Block Kit out.

A `/trainlytics <sub> ...` slash command whose subcommand is a conversation command
(roster, athlete, invite, comment, digest, settings, ...) becomes the same typed
`Request` Telegram and the console send, and a press of a button the conversation drew
("cb:" action ids, `bot.slack.blocks.buttons_blocks`) becomes its BUTTON request. The
conversation's replies come back rendered as Block Kit (`blocks.render_reply`). Only what
is Slack's stays here: the Slack user becomes a coach on first contact (taking timezone,
language and units from the Slack profile), and the catalogue's chat commands ("/roster")
are spelled as Slack's one slash command ("/trainlytics roster").
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from bot.conversation.callbacks import Callback, InvalidCallback
from bot.conversation.context import ConversationSettings
from bot.conversation.dispatcher import COMMANDS, Conversation
from bot.conversation.types import MessageKey, Reply, Request, RequestKind, Text
from bot.slack.blocks import Block, render_reply
from bot.slack.people import coach_for, slack_address
from core.clock import Clock
from core.db.engine import Database

log = logging.getLogger(__name__)

SLASH = "/trainlytics"
# "/roster" in the catalogue's words, not inside a path or a URL ("t.me/x", "a/b").
_CHAT_COMMAND = re.compile(r"(?<![\w/.:])/(" + "|".join(sorted(COMMANDS, key=len)[::-1]) + r")\b")

Answer = tuple[str, list[Block]]


def conversation_for(db: Database, clock: Clock, settings: Any) -> Conversation:
    """The conversation the Slack door hands its requests to (`settings`: TRAINLYTICS_*).
    Reminder reschedules are left to the scheduler's periodic reconciliation."""
    return Conversation(db, clock, settings=ConversationSettings.from_settings(settings))


def handles(subcommand: str) -> bool:
    """Whether the conversation answers this subcommand (the rest are Slack's own)."""
    return subcommand in COMMANDS


def slack_words(text: Text) -> Text:
    """The catalogue's chat commands as Slack spells them: "/roster" -> "/trainlytics roster"."""
    return Text(
        tuple(replace(s, text=_CHAT_COMMAND.sub(rf"{SLASH} \1", s.text)) for s in text.spans)
    )


def for_slack(reply: Reply) -> Reply:
    parts = tuple(slack_words(p) if isinstance(p, Text) else p for p in reply.parts)
    return replace(reply, parts=parts)


def render(replies: list[Reply]) -> Answer:
    """All replies as one message: (plain fallback text, escaped where it is sent, and
    blocks). Images are not drawn by the coach commands, so a slash command's answer
    (which can only carry blocks) leaves them out."""
    texts: list[str] = []
    blocks: list[Block] = []
    for reply in replies:
        shown = for_slack(reply)
        _text, more, _images = render_reply(shown)
        texts.append(shown.plain)
        blocks += more
    return "\n".join(t for t in texts if t.strip()) or " ", blocks


async def _ensure_coach(db: Database, team: str, user: str, name: str, client: Any) -> None:
    """A Slack user is a coach from the first command (`bot.slack.people.coach_for`)."""
    async with db.unit_of_work() as session:
        await coach_for(session, team, user, name or None, client=client)


async def command(
    conversation: Conversation, body: dict[str, Any], client: Any, name: str, args: str
) -> Answer:
    team, user, user_name = body.get("team_id", ""), body["user_id"], body.get("user_name", "")
    await _ensure_coach(conversation.db, team, user, user_name, client)
    request = Request(
        address=slack_address(team, user, user_name or None),
        kind=RequestKind.COMMAND,
        command=name,
        args=args,
        text=f"/{name} {args}".strip(),
    )
    return render(await conversation.handle(request))


async def button(conversation: Conversation, body: dict[str, Any], value: str) -> Answer:
    """A pressed conversation button (its value is the packed `Callback`)."""
    team = (body.get("team") or {}).get("id", "")
    user = body["user"]["id"]
    address = slack_address(team, user, body["user"].get("username"))
    try:
        callback = Callback.parse(value)
    except InvalidCallback:
        request = Request(address=address, kind=RequestKind.BUTTON)  # answered "bad button"
    else:
        box = body.get("container") or {}
        origin = (
            MessageKey(str(box["channel_id"]), str(box["message_ts"]))
            if box.get("channel_id") and box.get("message_ts")
            else None
        )
        request = Request(
            address=address, kind=RequestKind.BUTTON, callback=callback, origin=origin
        )
    await _ensure_coach(conversation.db, team, user, "", None)
    return render(await conversation.handle(request))
