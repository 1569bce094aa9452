"""Fake Telegram Bot API: a real HTTP server that answers like api.telegram.org.

Point aiogram at it with
`Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))`.
It is strict where Telegram is (lengths, callback data, HTML entities, unknown or
blocked chats, "message is not modified", webhook vs getUpdates) so that code passing
here does not fail in production. Tests play the user with `user_sends`,
`user_presses`, `user_sends_document`, `user_shares_location`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import struct
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from . import LocalFakeServer, RecordedCall, UploadedFile

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_BUTTONS = 100  # "REPLY_MARKUP_TOO_LONG" above it
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
WEBHOOK_RETRIES = 3

# Fields Telegram accepts as JSON-serialised strings in form and multipart bodies.
_JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "allowed_updates",
    "commands",
    "scope",
    "media",
    "link_preview_options",
    "reply_parameters",
}
_INT_FIELDS = {"offset", "limit", "timeout", "message_id", "reply_to_message_id", "max_connections"}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_DEFAULT_SCOPE = json.dumps({"type": "default"})
_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class TelegramError(Exception):
    """An error answer: HTTP status plus Telegram's `description` (and `parameters`)."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {reason}")


# --------------------------------------------------------------------------- HTML
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_length(text: str) -> int:
    """Telegram measures text and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    """Telegram's HTML subset, parsed the way the Bot API does (strict, not browser-lenient).

    Written on the stdlib parser because no library implements Telegram's own rules:
    only a few tags, only &lt; &gt; &amp; &quot; and numeric entities, every tag closed
    in order, a bare `<` or `&` is an error.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text: list[str] = []
        self.length = 0
        self.open: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def fail(self, reason: str) -> None:
        raise bad_request(f"can't parse entities: {reason}")

    def add_text(self, text: str) -> None:
        self.text.append(text)
        self.length += utf16_length(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ENTITY_TYPES:
            self.fail(f'Unsupported start tag "{tag}" at byte offset {self.getpos()[1]}')
        values = dict(attrs)
        extra: dict[str, Any] = {}
        if tag == "span" and values.get("class") != "tg-spoiler":
            self.fail('Tag "span" must have class "tg-spoiler"')
        if tag == "a":
            href = values.get("href")
            if not href:
                self.fail('Tag "a" must have attribute "href"')
            extra["url"] = href
        if tag == "tg-emoji":
            if not values.get("emoji-id"):
                self.fail('Tag "tg-emoji" must have attribute "emoji-id"')
            extra["custom_emoji_id"] = values["emoji-id"]
        css_class = values.get("class") or ""
        if tag == "code" and css_class.startswith("language-"):
            extra["language"] = css_class.removeprefix("language-")
        if tag == "blockquote" and "expandable" in values:
            extra["expandable"] = True
        self.open.append((tag, self.length, extra))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.fail(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            self.fail(f'Unexpected end tag "{tag}" with no open tag')
        opened, start, extra = self.open.pop()
        if opened != tag:
            self.fail(f'Can\'t find end tag corresponding to start tag "{opened}"')
        kind = _ENTITY_TYPES[tag]
        if tag == "blockquote" and extra.pop("expandable", False):
            kind = "expandable_blockquote"
        if tag == "code" and self.open and self.open[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            self.open[-1][2].update(extra)
            return
        if self.length > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.length - start, **extra}
            )

    def handle_data(self, data: str) -> None:
        self.add_text(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            self.fail(f'Unsupported HTML entity "&{name};"')
        self.add_text(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
            self.add_text(chr(code))
        except (ValueError, OverflowError):
            self.fail(f'Invalid numeric entity "&#{name};"')

    def handle_comment(self, data: str) -> None:
        self.fail("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        self.fail("Unsupported declaration")

    def unknown_decl(self, data: str) -> None:
        self.fail("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        self.fail("Unsupported processing instruction")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a parse_mode=HTML text, or TelegramError 400."""
    # The stdlib parser forgives a bare "&" or "<" (browsers do); Telegram does not.
    bare_amp = re.search(r"&(?!(?:[a-zA-Z]+|#[0-9]+|#[xX][0-9a-fA-F]+);)", source)
    if bare_amp:
        raise bad_request(
            f"can't parse entities: Character '&' is reserved and must be escaped "
            f"(byte offset {bare_amp.start()})"
        )
    bare_lt = re.search(r"<(?![a-zA-Z/])", source)
    if bare_lt:
        raise bad_request(
            f"can't parse entities: Unexpected character '<' at byte offset {bare_lt.start()}"
        )
    parser = _TelegramHTML()
    parser.feed(source)
    parser.close()
    if parser.rawdata:
        raise bad_request("can't parse entities: Unclosed start tag")
    if parser.open:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.open[-1][0]}"'
        )
    return "".join(parser.text), sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


def formatted(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode in {"", "markdown", "markdownv2"}:
        return text, list(entities or [])
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------- markup
def check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("REPLY_MARKUP_TOO_LONG")
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request('can\'t find field "text"')
    actions = {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    } & button.keys()
    if len(actions) != 1:
        raise bad_request("BUTTON_TYPE_INVALID")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"^(https?|tg)://", str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


# --------------------------------------------------------------------------- server
@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str
    mime_type: str


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None


@dataclass
class WebhookDelivery:
    update_id: int
    status: int | None
    error: str | None = None


class FakeTelegramBotAPI(LocalFakeServer):
    """Fake Bot API for one bot. Use as `async with FakeTelegramBotAPI() as tg:`."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "trainlytics_test_bot",
        bot_name: str = "Trainlytics",
    ) -> None:
        super().__init__()
        if not re.match(r"^\d+:[\w-]+$", token):
            raise ValueError("a bot token looks like '123456:ABC-def'")
        self.token = token
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        # Every menu by (scope as JSON with sorted keys, language_code or "").
        self.menus: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_allowed_updates: list[str] | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._users: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._callbacks: dict[str, bool] = {}
        self._file_counter = itertools.count(1)
        self._new_update = asyncio.Event()
        self._closing = asyncio.Event()
        self._webhook_task: asyncio.Task[None] | None = None
        self._last_webhook_error: tuple[int, str] | None = None

    async def __aenter__(self) -> FakeTelegramBotAPI:
        await self.start()
        return self

    async def stop(self) -> None:
        self._closing.set()
        self._new_update.set()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        await super().stop()

    @property
    def base_url(self) -> str:
        return self.origin

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_download)
        return app

    # ----------------------------------------------------------- test controls
    def add_chat(
        self,
        chat_id: int,
        *,
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        """Make a private chat known, as if the person had pressed Start."""
        user = {
            "id": chat_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username:
            user["username"] = username
        self._users[chat_id] = user
        chat = {"id": chat_id, "type": "private", "first_name": first_name}
        if username:
            chat["username"] = username
        self.chats.setdefault(chat_id, chat)
        return self.chats[chat_id]

    def block_bot(self, chat_id: int) -> None:
        """The person blocks the bot: sends to their chat now answer 403."""
        self.blocked.add(chat_id)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail with `status`."""
        parameters = None
        if status == 429:
            retry_after = 3 if retry_after is None else retry_after
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or {
            500: "Internal Server Error",
            502: "Bad Gateway",
            400: "Bad Request",
        }.get(status, "Error")
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(_Failure(status, description, parameters) for _ in range(times))

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        from_user: dict[str, Any] | None = None,
        language_code: str = "en",
    ) -> dict[str, Any]:
        """Queue a text message from the person; a leading /command gets its entity."""
        message = self._user_message(chat_id, from_user, language_code)
        message["text"] = text
        command = re.match(r"^/[A-Za-z0-9_]+(@\w+)?", text)
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}
            ]
        return self._queue({"message": message})

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        from_user: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue a callback_query: the person presses a button of a message the bot sent."""
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        buttons = [
            button.get("callback_data")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        if callback_data not in buttons:
            raise ValueError(f"message {message_id} has no button with data {callback_data!r}")
        query_id = str(next(self._file_counter) * 7919 + 10**15)
        self._callbacks[query_id] = False
        if chat_id not in self.chats:
            self.add_chat(chat_id)
        user = from_user or self._users[chat_id]
        return self._queue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": str(-chat_id * 31),
                    "data": callback_data,
                }
            }
        )

    def user_sends_document(
        self, chat_id: int, filename: str, data: bytes, mime: str, *, caption: str | None = None
    ) -> dict[str, Any]:
        """Queue a document message; the bytes are downloadable through getFile."""
        stored = self._store_file(data, filename, mime, "documents")
        message = self._user_message(chat_id, None, "en")
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": len(data),
        }
        if caption:
            message["caption"] = caption
        return self._queue({"message": message})

    def user_sends_sticker(self, chat_id: int, emoji: str = "👍") -> dict[str, Any]:
        """Queue a sticker, as Telegram describes one (something the bot cannot read)."""
        message = self._user_message(chat_id, None, "en")
        unique = str(next(self._file_counter))
        message["sticker"] = {
            "file_id": f"sticker-{unique}",
            "file_unique_id": f"s{unique}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._queue({"message": message})

    def user_shares_location(
        self, chat_id: int, latitude: float, longitude: float
    ) -> dict[str, Any]:
        message = self._user_message(chat_id, None, "en")
        message["location"] = {"latitude": latitude, "longitude": longitude}
        return self._queue({"message": message})

    def sent_messages(self, chat_id: int) -> list[RecordedCall]:
        """Successful send* calls to `chat_id`, in order."""
        return [
            call
            for call in self.calls
            if call.method.startswith("send")
            and call.method != "sendChatAction"
            and call.ok
            and call.response["result"]["chat"]["id"] == chat_id
        ]

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state (after edits and deletions) of the chat's messages, in order."""
        return [message for (chat, _), message in sorted(self.messages.items()) if chat == chat_id]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    # ----------------------------------------------------------- internals
    def _user_message(
        self, chat_id: int, from_user: dict[str, Any] | None, language_code: str
    ) -> dict[str, Any]:
        if chat_id not in self.chats:
            self.add_chat(chat_id, language_code=language_code)
        user = dict(from_user or self._users.get(chat_id) or {})
        if not from_user:
            user["language_code"] = language_code
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": self.chats[chat_id],
            "date": int(time.time()),
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _queue(self, body: dict[str, Any]) -> dict[str, Any]:
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **body}
        self._updates.append(update)
        self._new_update.set()
        return update

    def _store_file(self, data: bytes, filename: str, mime: str, folder: str) -> StoredFile:
        number = next(self._file_counter)
        digest = hashlib.sha256(data).hexdigest()
        extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"BQACAgQAAxkBAAI{number:05d}{digest[:24]}",
            file_unique_id=f"AgAD{digest[:12]}",
            file_path=f"{folder}/file_{number}.{extension}",
            data=data,
            file_name=filename,
            mime_type=mime,
        )
        self.files[stored.file_id] = stored
        return stored

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(TelegramError(401, "Unauthorized").body(), status=401)
        path = request.match_info["file_path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(TelegramError(404, "Not Found").body(), status=404)

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        method_name = request.match_info["method"]
        call = RecordedCall(method=method_name, params={})
        try:
            if request.match_info["token"] != self.token:
                raise TelegramError(401, "Unauthorized")
            call.params, call.files = await _read_params(request)
            failures = self._failures.get(method_name.lower())
            if failures:
                failure = failures.popleft()
                raise TelegramError(failure.status, failure.description, failure.parameters)
            handler = self._handlers().get(method_name.lower())
            if handler is None:
                raise TelegramError(404, "Not Found")
            result = handler(call)
            if asyncio.iscoroutine(result):
                result = await result
            call.status, call.response = 200, {"ok": True, "result": result}
        except TelegramError as error:
            call.status, call.response = error.status, error.body()
        await self.record(call)
        return web.json_response(call.response, status=call.status)

    def _handlers(self) -> dict[str, Callable[[RecordedCall], Any]]:
        return {
            "getme": lambda call: self.bot_user,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
            "setmycommands": self._set_my_commands,
            "getmycommands": lambda call: self.menus.get(self._menu_key(call.params), []),
            "deletemycommands": self._delete_my_commands,
            "sendchataction": self._send_chat_action,
        }

    # ----------------------------------------------------------- updates
    async def _get_updates(self, call: RecordedCall) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise TelegramError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        offset = params.get("offset")
        limit = min(max(params.get("limit") or 100, 1), 100)
        timeout = max(params.get("timeout") or 0, 0)
        if offset is not None:
            # Asking from `offset` confirms every earlier update, as on Telegram.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._updates and not self._closing.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                break
        return self._updates[:limit]

    def _set_webhook(self, call: RecordedCall) -> bool:
        url = str(call.params.get("url") or "")
        if not url:
            return self._delete_webhook(call)
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            # Telegram requires HTTPS; plain http is allowed here only for local tests.
            raise bad_request("bad webhook: HTTPS url must be provided for webhook")
        secret = call.params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url, self.webhook_secret = url, secret
        self.webhook_allowed_updates = call.params.get("allowed_updates")
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhooks())
        self._new_update.set()
        return True

    def _delete_webhook(self, call: RecordedCall) -> bool:
        self.webhook_url, self.webhook_secret = "", None
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, call: RecordedCall) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self.webhook_allowed_updates is not None:  # Telegram shows what was set
                info["allowed_updates"] = self.webhook_allowed_updates
        if self._last_webhook_error:
            info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        return info

    async def _deliver_webhooks(self) -> None:
        """POST queued updates to the webhook one by one, like Telegram, with retries."""
        async with aiohttp.ClientSession() as session:
            while self.webhook_url and not self._closing.is_set():
                if not self._updates:
                    self._new_update.clear()
                    await self._new_update.wait()
                    continue
                update = self._updates[0]
                delivered = await self._post_update(session, update)
                if delivered or self._failed_attempts(update["update_id"]) >= WEBHOOK_RETRIES:
                    self._updates = [u for u in self._updates if u is not update]
                else:
                    await asyncio.sleep(0.05)

    async def _post_update(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        headers = {}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        try:
            async with session.post(self.webhook_url, json=update, headers=headers) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError as error:
            self.webhook_deliveries.append(WebhookDelivery(update["update_id"], None, str(error)))
            self._last_webhook_error = (int(time.time()), f"Connection failed: {error}")
            await self.notify()
            return False
        self.webhook_deliveries.append(WebhookDelivery(update["update_id"], status))
        if not 200 <= status < 300:
            self._last_webhook_error = (
                int(time.time()),
                f"Wrong response from the webhook: {status}",
            )
        await self.notify()
        return 200 <= status < 300

    def _failed_attempts(self, update_id: int) -> int:
        return sum(
            1
            for delivery in self.webhook_deliveries
            if delivery.update_id == update_id and not (delivery.status and delivery.status < 300)
        )

    # ----------------------------------------------------------- chats and messages
    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("chat_id")
        if raw in (None, ""):
            raise bad_request("chat_id is empty")
        chat = None
        if isinstance(raw, str) and raw.startswith("@"):
            chat = next((c for c in self.chats.values() if c.get("username") == raw[1:]), None)
        else:
            try:
                chat = self.chats.get(int(raw))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        if chat["id"] in self.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _new_bot_message(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        reply_markup = params.get("reply_markup")
        check_reply_markup(reply_markup)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            message["reply_markup"] = reply_markup
        reply_to = params.get("reply_to_message_id") or (
            (params.get("reply_parameters") or {}).get("message_id")
        )
        if reply_to:
            replied = self.messages.get((chat["id"], int(reply_to)))
            if replied is None:
                raise bad_request("message to be replied not found")
            message["reply_to_message"] = replied
        return message

    def _send_message(self, call: RecordedCall) -> dict[str, Any]:
        params = call.params
        chat = self._chat(params)
        text, entities = self._text(params, "text", "entities", MAX_TEXT, "message is too long")
        if not text.strip():
            raise bad_request("message text is empty")
        message = self._new_bot_message(chat, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _text(
        self, params: dict[str, Any], name: str, entities_name: str, limit: int, too_long: str
    ) -> tuple[str, list[dict[str, Any]]]:
        raw = params.get(name)
        if raw is None:
            return "", []
        text, entities = formatted(str(raw), params.get("parse_mode"), params.get(entities_name))
        if utf16_length(text) > limit:
            raise bad_request(too_long)
        return text, entities

    def _input_file(
        self, call: RecordedCall, name: str
    ) -> tuple[StoredFile | None, UploadedFile | None]:
        """The file a send* call refers to: an upload, an attach:// part or a file_id."""
        value = call.params.get(name)
        if name in call.files and value is None:
            return None, call.files[name]
        if isinstance(value, str) and value.startswith("attach://"):
            part = call.files.get(value.removeprefix("attach://"))
            if part is None:
                raise bad_request(f"file of field {name} not found in the request")
            return None, part
        if isinstance(value, str) and value in self.files:
            return self.files[value], None
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_photo(self, call: RecordedCall) -> dict[str, Any]:
        chat = self._chat(call.params)
        caption, entities = self._text(
            call.params, "caption", "caption_entities", MAX_CAPTION, "message caption is too long"
        )
        stored, upload = self._input_file(call, "photo")
        if upload is not None:
            width, height = _image_size(upload.data)
            stored = self._store_file(upload.data, upload.filename, upload.content_type, "photos")
        else:
            assert stored is not None
            width, height = _image_size(stored.data)
        message = self._new_bot_message(chat, call.params)
        message["photo"] = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "width": width,
                "height": height,
            }
        ]
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_document(self, call: RecordedCall) -> dict[str, Any]:
        chat = self._chat(call.params)
        caption, entities = self._text(
            call.params, "caption", "caption_entities", MAX_CAPTION, "message caption is too long"
        )
        stored, upload = self._input_file(call, "document")
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            stored = self._store_file(
                upload.data, upload.filename, upload.content_type, "documents"
            )
        assert stored is not None
        message = self._new_bot_message(chat, call.params)
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _message_to_edit(self, params: dict[str, Any], verb: str) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by this fake")
        chat = self._chat(params)
        message = self.messages.get((chat["id"], params.get("message_id") or 0))
        if message is None or message["from"].get("id") != self.bot_user["id"]:
            raise bad_request(f"message to {verb} not found")
        return message

    def _edit_message_text(self, call: RecordedCall) -> dict[str, Any]:
        message = self._message_to_edit(call.params, "edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(
            call.params, "text", "entities", MAX_TEXT, "message is too long"
        )
        if not text.strip():
            raise bad_request("message text is empty")
        markup = call.params.get("reply_markup")
        check_reply_markup(markup)
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        _set_or_drop(message, "entities", entities)
        _set_or_drop(message, "reply_markup", markup)
        return message

    def _edit_reply_markup(self, call: RecordedCall) -> dict[str, Any]:
        message = self._message_to_edit(call.params, "edit")
        markup = call.params.get("reply_markup")
        check_reply_markup(markup)
        if markup == message.get("reply_markup") or (
            not markup and not message.get("reply_markup")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return message

    def _delete_message(self, call: RecordedCall) -> bool:
        message = self._message_to_edit(call.params, "delete")
        del self.messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _answer_callback_query(self, call: RecordedCall) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        if self._callbacks.get(query_id) is not False:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if utf16_length(str(call.params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        self.answered_callbacks[query_id] = call.params
        return True

    def _get_file(self, call: RecordedCall) -> dict[str, Any]:
        stored = self.files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _set_my_commands(self, call: RecordedCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.menus[self._menu_key(call.params)] = commands
        return True

    def _delete_my_commands(self, call: RecordedCall) -> bool:
        self.menus.pop(self._menu_key(call.params), None)
        return True

    def _menu_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
            raise bad_request("BOT_COMMAND_SCOPE_INVALID")
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            chat_id = scope.get("chat_id")
            if not isinstance(chat_id, int) or chat_id not in self.chats:
                raise bad_request("chat not found")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("language code is invalid")
        return json.dumps(scope, sort_keys=True), language

    @property
    def commands(self) -> list[dict[str, str]]:
        """The default menu (no scope, no language)."""
        return self.menus.get((_DEFAULT_SCOPE, ""), [])

    def menu_for(self, chat_id: int, language_code: str = "") -> list[dict[str, str]]:
        """The menu Telegram shows in a private chat: the chat's own, else the defaults."""
        scopes = ({"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"})
        for scope in (*(json.dumps(s, sort_keys=True) for s in scopes), _DEFAULT_SCOPE):
            for language in (language_code, ""):
                found = self.menus.get((scope, language))
                if found is not None:
                    return found
        return []

    def _send_chat_action(self, call: RecordedCall) -> bool:
        self._chat(call.params)
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True


def _set_or_drop(message: dict[str, Any], key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _image_size(data: bytes) -> tuple[int, int]:
    """Pixel size of a PNG or JPEG, or the 400 Telegram gives for anything else."""
    if len(data) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
    elif data[:3] == b"\xff\xd8\xff":
        width, height = _jpeg_size(data)
    else:
        raise bad_request("IMAGE_PROCESS_FAILED")
    if width + height > 10_000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            break
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise bad_request("IMAGE_PROCESS_FAILED")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad_request("can't parse JSON") from None
        if not isinstance(body, dict):
            raise bad_request("parameters must be a JSON object")
        params.update(body)
    elif request.body_exists:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    field=key,
                    filename=value.filename,
                    content_type=value.content_type,
                    data=value.file.read(),
                )
            else:
                params[key] = value
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                if key == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {key} JSON object") from None
    for key in _INT_FIELDS & params.keys():
        try:
            params[key] = int(params[key])
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None
    for key, value in list(params.items()):
        if value in ("true", "false"):
            params[key] = value == "true"
    return params, files
