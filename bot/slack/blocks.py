"""Block Kit from the conversation layer's neutral `Reply`, and small block builders.

`render_reply(reply)` turns Text into mrkdwn sections (cut at Slack's 3000-character
section limit by `split_for_limit`, measuring the escaped mrkdwn), Buttons into actions
blocks (a callback button carries `Callback.pack()` in its `value`, its `action_id` is
"cb:<row>:<col>" so the ids in one message differ), and leaves images to the sender,
which uploads them with files_upload_v2 (Block Kit cannot carry bytes).

Escaping (docs/security.md, "Slack"): mrkdwn fields are built with every person-supplied
string passed through `slack_escape` (re-exported here) where it is interpolated;
plain_text fields (headers, labels, modal titles) are never parsed, so they take raw
strings. A message's `text` is written plain by its builder and escaped once where it
leaves for Slack (`SlackPoster.post` / `update`, `fallback` for the other calls).
"""

from __future__ import annotations

from typing import Any

from bot.conversation.markup import slack_escape, to_slack_mrkdwn
from bot.conversation.types import Buttons, Image, Reply, Text, split_for_limit

SECTION_LIMIT = 3000
BUTTON_LABEL_LIMIT = 75
ACTIONS_LIMIT = 25
MESSAGE_BLOCK_LIMIT = 50
CALLBACK_ACTION_PREFIX = "cb:"

Block = dict[str, Any]


def fallback(text: str) -> str:
    """A message's `text` (notifications, screen readers): plain in, escaped out."""
    return slack_escape(_cut(text or " ", 3000))


def plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text or " ", limit), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text or " ", SECTION_LIMIT)}


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def fields(*items: str) -> Block:
    return {"type": "section", "fields": [mrkdwn(i) for i in items[:10]]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def button(label: str, action_id: str, value: str = "", *, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(label, BUTTON_LABEL_LIMIT),
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements[:ACTIONS_LIMIT])}
    if block_id:
        block["block_id"] = block_id
    return block


def text_blocks(text: Text) -> list[Block]:
    pieces = split_for_limit(text, SECTION_LIMIT, measure=lambda t: len(to_slack_mrkdwn(t)))
    return [section(to_slack_mrkdwn(piece)) for piece in pieces if piece.plain.strip()]


def buttons_blocks(buttons: Buttons) -> list[Block]:
    out = []
    for r, row in enumerate(buttons.rows):
        elements = []
        for c, b in enumerate(row):
            if b.url is not None:
                element = button(b.label, f"url:{r}:{c}")
                element["url"] = b.url
            else:
                assert b.callback is not None
                element = button(b.label, f"{CALLBACK_ACTION_PREFIX}{r}:{c}", b.callback.pack())
            elements.append(element)
        if elements:
            out.append(actions(*elements))
    return out


def render_reply(reply: Reply) -> tuple[str, list[Block], list[Image]]:
    """(fallback text for notifications, blocks, images to upload) for one reply."""
    blocks: list[Block] = []
    images: list[Image] = []
    for part in reply.parts:
        if isinstance(part, Text):
            blocks += text_blocks(part)
        elif isinstance(part, Buttons):
            blocks += buttons_blocks(part)
        elif isinstance(part, Image):
            images.append(part)
    return fallback(reply.plain), blocks[:MESSAGE_BLOCK_LIMIT], images


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
