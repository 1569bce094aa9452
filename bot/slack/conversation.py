"""Slack as one more face of the conversation: requests in, Block Kit out.

A `/trainlytics <sub> ...` slash command becomes the same typed `Request` Telegram and the
console send (`/trainlytics` alone is `help`), a press of a button the conversation drew
("cb:" action ids, `bot.slack.blocks.buttons_blocks`) its BUTTON request, and a modal's
submission its FORM request (`bot.slack.modals`). The conversation's replies come back
rendered as Block Kit (`blocks.render_reply`); a reply asking for fields (`FormAsk`) is
opened as a modal. Only what is Slack's stays here: the Slack user becomes a coach on
first contact (taking timezone, language and units from the Slack profile), the channel a
command came from (`/feed here`), and the catalogue's chat commands ("/roster") spelled
as Slack's one slash command ("/trainlytics roster").

A multi-step exchange (a quick log awaiting its Confirm, a settings question) keeps its
place in the database (`DatabaseConversationState`), so the next step may reach any web
process, or the same one after a restart.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.callbacks import Callback, InvalidCallback
from bot.conversation.context import ConversationSettings
from bot.conversation.dispatcher import COMMANDS, Conversation
from bot.conversation.state import StateKey
from bot.conversation.types import (
    MessageKey,
    Place,
    Reply,
    Request,
    RequestKind,
    Style,
    Text,
)
from bot.slack.blocks import Block, render_reply
from bot.slack.feed import set_feed_channel
from bot.slack.people import coach_for, slack_address
from bot.slack.tables import conversation_states
from core.clock import Clock
from core.db.engine import Database
from core.jobs import JobQueue

log = logging.getLogger(__name__)

SLASH = "/trainlytics"
# "/roster" in the catalogue's words, not inside a path or a URL ("t.me/x", "a/b").
_CHAT_COMMAND = re.compile(r"(?<![\w/.:])/(" + "|".join(sorted(COMMANDS, key=len)[::-1]) + r")\b")

Answer = tuple[str, list[Block]]


class DatabaseConversationState:
    """`bot.conversation.state.ConversationState` in the `slack_conversation_states` table.

    Read and written in the conversation's own unit of work (`within`), so a step's state
    commits or rolls back with what the step stored, and SQLite's one writer is never
    asked for a second transaction."""

    def __init__(self, session: AsyncSession | None = None) -> None:
        self.session = session

    def within(self, session: AsyncSession) -> DatabaseConversationState:
        return DatabaseConversationState(session)

    def _session(self) -> AsyncSession:
        if self.session is None:
            raise RuntimeError("DatabaseConversationState is used within a unit of work")
        return self.session

    async def get(self, key: StateKey) -> dict[str, Any]:
        data = await self._session().scalar(select(conversation_states.c.data).where(*_row(key)))
        return dict(data or {})

    async def set(self, key: StateKey, value: dict[str, Any]) -> None:
        session = self._session()
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        row = {"chat_id": key.chat_id, "user_id": key.user_id, "data": dict(value)}
        await session.execute(
            insert(conversation_states)
            .values(**row)
            .on_conflict_do_update(
                index_elements=["chat_id", "user_id"], set_={"data": row["data"]}
            )
        )

    async def clear(self, key: StateKey) -> None:
        # Every command clears; looking first keeps a read-only command (/roster) from
        # taking SQLite's one write lock for a row that is not there.
        where = _row(key)
        session = self._session()
        if await session.scalar(select(conversation_states.c.chat_id).where(*where)) is not None:
            await session.execute(delete(conversation_states).where(*where))


def _row(key: StateKey) -> tuple[Any, ...]:
    return (
        conversation_states.c.chat_id == key.chat_id,
        conversation_states.c.user_id == key.user_id,
    )


def conversation_for(
    db: Database, clock: Clock, settings: Any, *, jobs: JobQueue | None = None
) -> Conversation:
    """The conversation the Slack door hands its requests to (`settings`: TRAINLYTICS_*):
    its state in the database, modals for forms, the feed's channel, and `jobs` (as for
    Telegram and the console) asked to reschedule after a reminder or timezone change."""
    hooks = ConversationSettings.from_settings(
        settings, jobs=jobs, forms=True, set_feed=set_feed_channel
    )
    return Conversation(db, clock, DatabaseConversationState(), settings=hooks)


def slack_words(text: Text) -> Text:
    """The catalogue's chat commands as Slack spells them: "/roster" -> "/trainlytics roster".
    A code span is shown as typed: it is a command of another face ("/link" on Telegram)."""
    return Text(
        tuple(
            span
            if span.style is Style.CODE
            else replace(span, text=_CHAT_COMMAND.sub(rf"{SLASH} \1", span.text))
            for span in text.spans
        )
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


async def ensure_coach(db: Database, team: str, user: str, name: str, client: Any) -> None:
    """A Slack user is a coach from the first command (`bot.slack.people.coach_for`)."""
    async with db.unit_of_work() as session:
        await coach_for(session, team, user, name or None, client=client)


def place_of(body: dict[str, Any]) -> Place | None:
    """The channel a slash command was typed in: private when only invited people see it."""
    channel = str(body.get("channel_id") or "")
    if not channel:
        return None
    private = body.get("channel_name") in ("privategroup", "directmessage")
    return Place(
        channel, private=private or channel.startswith(("G", "D")), direct=channel[0] == "D"
    )


async def command(
    conversation: Conversation, body: dict[str, Any], client: Any, name: str, args: str
) -> list[Reply]:
    team, user, user_name = body.get("team_id", ""), body["user_id"], body.get("user_name", "")
    await ensure_coach(conversation.db, team, user, user_name, client)
    request = Request(
        address=slack_address(team, user, user_name or None),
        kind=RequestKind.COMMAND,
        command=name,
        args=args,
        text=f"/{name} {args}".strip(),
        place=place_of(body),
    )
    return await conversation.handle(request)


def address_of(body: dict[str, Any]) -> tuple[str, str, Any]:
    """(team, user, address) of an interaction (a button press, a modal submission)."""
    team = (body.get("team") or {}).get("id", "")
    user = body["user"]["id"]
    return team, user, slack_address(team, user, body["user"].get("username"))


async def button(conversation: Conversation, body: dict[str, Any], value: str) -> list[Reply]:
    """A pressed conversation button (its value is the packed `Callback`)."""
    team, user, address = address_of(body)
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
    await ensure_coach(conversation.db, team, user, "", None)
    return await conversation.handle(request)
