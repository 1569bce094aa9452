"""aiogram, unmodified, against FakeTelegramBotAPI: the fake answers like Telegram."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import web

from .telegram_bot_api import FakeTelegramBotAPI, parse_html

TOKEN = "123456:TEST-TOKEN"
CHAT = 4242
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a7a4f10000000049454e44ae426082"
)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramBotAPI]:
    async with FakeTelegramBotAPI(token=TOKEN) as fake:
        fake.add_chat(CHAT, first_name="Léa", language_code="fr")
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegramBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    async with Bot(token=TOKEN, session=session) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=item, callback_data=item) for item in data]]
    )


async def test_get_me_and_wrong_token(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123456 and me.username == "trainlytics_test_bot"
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    async with Bot(token="999:WRONG", session=session) as stranger:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()


async def test_send_message_with_keyboard_is_recorded_and_pressable(
    tg: FakeTelegramBotAPI, bot: Bot
) -> None:
    sent = await bot.send_message(
        CHAT, "How hard was it? <b>RPE</b>", parse_mode="HTML", reply_markup=keyboard("rpe:7:6")
    )
    assert sent.text == "How hard was it? RPE"
    assert sent.entities is not None, "the HTML <b> comes back as an entity"
    assert sent.entities[0].type == "bold" and sent.entities[0].offset == 17
    (call,) = tg.sent_messages(CHAT)
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "rpe:7:6"
    update = tg.user_presses(CHAT, sent.message_id, "rpe:7:6")
    query = Update.model_validate(update, context={"bot": bot}).callback_query
    assert query is not None, "a button press arrives as a callback query"
    assert query.data == "rpe:7:6"
    assert await bot.answer_callback_query(query.id, text="Saved")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(ValueError, match="no button"):
        tg.user_presses(CHAT, sent.message_id, "rpe:9:9")


async def test_send_photo_uploads_png_bytes(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    sent = await bot.send_photo(
        CHAT, BufferedInputFile(PNG, filename="load.png"), caption="Your week"
    )
    assert sent.photo is not None, "a sent photo comes back with its sizes"
    assert sent.photo[0].width == 1 and sent.caption == "Your week"
    (call,) = tg.calls_to("sendPhoto")
    assert [part.data for part in call.files.values()] == [PNG]
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, BufferedInputFile(b"not an image", filename="x.png"))
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(CHAT, BufferedInputFile(PNG, filename="a.png"), caption="x" * 1025)


async def test_edit_with_same_content_is_not_modified(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "Plan for today", reply_markup=keyboard("done"))
    edited = await bot.edit_message_text(
        "Plan for today ✅", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("done")
    )
    assert isinstance(edited, Message), "a chat message's edit returns it (True is for inline ones)"
    assert edited.text == "Plan for today ✅"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Plan for today ✅",
            chat_id=CHAT,
            message_id=sent.message_id,
            reply_markup=keyboard("done"),
        )
    await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)
    assert "reply_markup" not in tg.chat_messages(CHAT)[0]
    assert await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)


async def test_telegram_limits_and_errors_surface_as_aiogram_exceptions(
    tg: FakeTelegramBotAPI, bot: Bot
) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    await bot.send_message(CHAT, "é" * 4096)  # counted in characters, not bytes
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "🏃" * 2049)  # ... in UTF-16 code units: two each
    await bot.send_message(CHAT, "🏃" * 2048)
    many = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=str(i), callback_data=str(i)) for i in range(10)]
            for _ in range(11)
        ]
    )
    with pytest.raises(TelegramBadRequest, match="REPLY_MARKUP_TOO_LONG"):
        await bot.send_message(CHAT, "hi", reply_markup=many)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "hi", reply_markup=keyboard("x" * 65))
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "hi")
    tg.block_bot(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hi")


async def test_programmed_rate_limit_and_server_error(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(CHAT, "hi")
    assert raised.value.retry_after == 3
    tg.fail_next("sendMessage", status=500)
    with pytest.raises(TelegramServerError):
        await bot.send_message(CHAT, "hi")
    assert (await bot.send_message(CHAT, "hi")).text == "hi"


@pytest.mark.parametrize(
    "html",
    [
        "<b>open",
        "<b><i>crossed</b></i>",
        "<div>block</div>",
        "Tom & Jerry",
        "1 < 2",
        '<span class="x">no</span>',
        "<a>no href</a>",
        "&nbsp;",
    ],
)
def test_html_that_telegram_rejects(html: str) -> None:
    with pytest.raises(Exception, match="can't parse entities"):
        parse_html(html)


def test_html_that_telegram_accepts() -> None:
    text, entities = parse_html(
        '<b>Run</b> 5&amp;10 &lt;km&gt; <a href="https://x.test/a?b=1&amp;c=2">link</a> '
        '<tg-spoiler>s</tg-spoiler> <pre><code class="language-python">x</code></pre>'
    )
    assert text == "Run 5&10 <km> link s x"
    kinds = [(entity["type"], entity["offset"], entity["length"]) for entity in entities]
    assert kinds == [("bold", 0, 3), ("text_link", 14, 4), ("spoiler", 19, 1), ("pre", 21, 1)]
    assert entities[-1]["language"] == "python"


async def test_document_from_user_can_be_downloaded(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    update = Update.model_validate(
        tg.user_sends_document(CHAT, "ride.fit", b"FIT-BYTES", "application/octet-stream"),
        context={"bot": bot},
    )
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert document.file_size == 9 and document.file_unique_id
    file = await bot.get_file(document.file_id)
    assert file.file_path is not None, "a stored file has a download path"
    buffer = io.BytesIO()
    await bot.download_file(file.file_path, buffer)
    assert buffer.getvalue() == b"FIT-BYTES"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_polling_delivers_a_queued_start_command(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None, "a private /start has a sender"
        await message.answer(f"Welcome {message.from_user.first_name}")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    tg.user_sends(CHAT, "/start")
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, polling_timeout=1, close_bot_session=False
        )
    )
    try:
        reply = await tg.wait_for(lambda call: call.method == "sendMessage" and call.ok)
    finally:
        await dispatcher.stop_polling()
        await polling
    assert reply.response["result"]["text"] == "Welcome Léa"
    assert tg.pending_updates == []  # the next getUpdates offset confirmed it


async def test_webhook_delivery_carries_the_secret_and_blocks_polling(
    tg: FakeTelegramBotAPI, bot: Bot
) -> None:
    received: asyncio.Queue[tuple[str | None, dict]] = asyncio.Queue()

    async def endpoint(request: web.Request) -> web.Response:
        await received.put(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/telegram", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS chose for 127.0.0.1:0
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="s3cret_token")
        assert (await bot.get_webhook_info()).url.endswith("/telegram")
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        tg.user_sends(CHAT, "hello")
        secret, body = await asyncio.wait_for(received.get(), 5)
        assert secret == "s3cret_token"
        delivered = Update.model_validate(body, context={"bot": bot}).message
        assert delivered is not None and delivered.text == "hello"
        with pytest.raises(TelegramBadRequest, match="HTTPS url"):
            await bot.set_webhook("http://example.com/hook")
        await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()


async def test_commands_and_chat_action(tg: FakeTelegramBotAPI, bot: Bot) -> None:
    from aiogram.types import BotCommand

    assert await bot.set_my_commands([BotCommand(command="plan", description="Today's plan")])
    assert tg.commands == [{"command": "plan", "description": "Today's plan"}]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])
    assert await bot.send_chat_action(CHAT, "upload_photo")
