"""Neutral `Reply` → Telegram messages, inside Telegram's limits.

- Text becomes HTML through `bot.conversation.markup.to_telegram_html` (escaping done
  there once), cut with `Reply.pages` so no message exceeds 4096 characters, counted as
  Telegram counts them (UTF-16 code units, `markup.telegram_length`).
- Buttons become an `InlineKeyboardMarkup` on the message they follow; callback data
  is the layer's packed `Callback` (≤ 64 bytes, checked when the callback was built).
- An Image is a `sendPhoto` of its PNG bytes; a caption longer than Telegram's 1024
  characters is sent as text messages (cut like any text) after the photo instead.
- `Reply.edit` replaces the pressed card with `editMessageText`; "message is not
  modified" (the person pressed the same button twice) is fine, and a card that cannot
  be edited (a photo, a message too old) gets a fresh message instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from bot.conversation.markup import telegram_length, to_telegram_html
from bot.conversation.types import (
    TELEGRAM_CAPTION_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    Buttons,
    Image,
    LocationAsk,
    Reply,
    Text,
    split_for_limit,
)

HTML = "HTML"
# Telegram refuses a message with an empty text; buttons need something to hang on.
BUTTONS_ONLY_TEXT = "⬇️"


def location_keyboard(ask: LocationAsk) -> ReplyKeyboardMarkup:
    """The one-tap "share my location" button: a reply keyboard that hides once used."""
    button = KeyboardButton(text=ask.label, request_location=True)
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(text=b.label, url=b.url)
            if b.url is not None
            else InlineKeyboardButton(text=b.label, callback_data=b.callback.pack())  # type: ignore[union-attr]
            for b in row
        ]
        for row in buttons.rows
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


@dataclass
class OutText:
    html: str
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None


@dataclass
class OutPhoto:
    image: Image
    caption_html: str | None
    markup: InlineKeyboardMarkup | None = None


Outgoing = OutText | OutPhoto


def plan_messages(reply: Reply) -> list[Outgoing]:
    """The Telegram messages one reply becomes, in order, each within Telegram's limits."""
    out: list[Outgoing] = []
    for page in reply.pages(TELEGRAM_TEXT_LIMIT, measure=telegram_length):
        texts: list[Text] = []
        for part in page.parts:
            if isinstance(part, Text):
                if part.plain.strip():
                    texts.append(part)
                continue
            _flush(out, texts)
            if isinstance(part, Image):
                out.extend(_photo(part))
            elif isinstance(part, LocationAsk):
                _attach(out, location_keyboard(part))
            else:
                _attach(out, keyboard(part))
        _flush(out, texts)
    return out


def _flush(out: list[Outgoing], texts: list[Text]) -> None:
    """The texts gathered so far become one message (a page fits one by construction)."""
    if texts:
        out.append(OutText("\n".join(to_telegram_html(t) for t in texts)))
        texts.clear()


def _photo(image: Image) -> list[Outgoing]:
    if image.caption is None or not image.caption.plain.strip():
        return [OutPhoto(image, None)]
    if telegram_length(image.caption) <= TELEGRAM_CAPTION_LIMIT:
        return [OutPhoto(image, to_telegram_html(image.caption))]
    # Too long for a caption: the photo alone, then the caption as text messages.
    pieces = split_for_limit(image.caption, TELEGRAM_TEXT_LIMIT, measure=telegram_length)
    return [OutPhoto(image, None), *(OutText(to_telegram_html(piece)) for piece in pieces)]


def _attach(out: list[Outgoing], markup: InlineKeyboardMarkup | ReplyKeyboardMarkup) -> None:
    if out and out[-1].markup is None:
        out[-1].markup = markup
    else:
        out.append(OutText(BUTTONS_ONLY_TEXT, markup))


def is_not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message.lower()


async def send_reply(
    bot: Bot,
    chat_id: int | str,
    reply: Reply,
    *,
    reply_to_message_id: int | None = None,
    edit_message_id: int | None = None,
    already_sent: int = 0,
    on_part_sent: Callable[[int], Awaitable[None]] | None = None,
) -> list[Message]:
    """Send (or edit in place) the messages for `reply`; returns the messages now showing it.

    `reply_to_message_id` threads the first message under an earlier one (the layer's
    `Reply.thread`, resolved by the caller); `edit_message_id` is the card to replace.

    A reply may become several messages, and a later one may be refused (429) after the
    earlier ones reached the person. `already_sent` skips the first parts of a retry;
    `on_part_sent(count)` is awaited after each part that more parts follow, so the
    caller can record the count before risking the next one (none for a single part).
    """
    shown: list[Message] = []
    planned = plan_messages(reply)
    for index, item in enumerate(planned):
        if index < already_sent:
            continue
        # Only an inline keyboard can be edited in; a reply keyboard comes with a new message.
        editable = isinstance(item, OutText) and not isinstance(item.markup, ReplyKeyboardMarkup)
        if index == 0 and edit_message_id is not None and editable:
            edited = await _edit(bot, chat_id, edit_message_id, item)
            if edited is not None:
                if isinstance(edited, Message):
                    shown.append(edited)
                continue
        shown.append(await _send(bot, chat_id, item, reply_to_message_id if index == 0 else None))
        if on_part_sent is not None and index + 1 < len(planned):
            await on_part_sent(index + 1)
    return shown


async def _edit(
    bot: Bot, chat_id: int | str, message_id: int, item: OutText
) -> Message | bool | None:
    """The edited message (True when unchanged), or None when it cannot be edited."""
    try:
        return await bot.edit_message_text(
            text=item.html,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=HTML,
            reply_markup=item.markup,
        )
    except TelegramBadRequest as error:
        if is_not_modified(error):
            return True
        return None


async def _send(
    bot: Bot, chat_id: int | str, item: Outgoing, reply_to_message_id: int | None
) -> Message:
    reply_parameters = (
        ReplyParameters(message_id=reply_to_message_id, allow_sending_without_reply=True)
        if reply_to_message_id is not None
        else None
    )
    if isinstance(item, OutText):
        return await bot.send_message(
            chat_id=chat_id,
            text=item.html,
            parse_mode=HTML,
            reply_markup=item.markup,
            reply_parameters=reply_parameters,
        )
    return await bot.send_photo(
        chat_id=chat_id,
        photo=BufferedInputFile(item.image.png, filename=item.image.filename),
        caption=item.caption_html,
        parse_mode=HTML if item.caption_html else None,
        reply_markup=item.markup,
        reply_parameters=reply_parameters,
    )
