"""Fake Slack Web API: a real HTTP server answering like slack.com/api.

Point slack_sdk at it with `AsyncWebClient(token="xoxb-...", base_url=slack.base_url)`
(the URL ends in "/api/", as the SDK appends method names). Like Slack, errors come back
as HTTP 200 `{"ok": false, "error": ...}` except rate limits (HTTP 429 + Retry-After).
Block Kit is validated enough to catch the mistakes Slack rejects with `invalid_blocks`.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from . import LocalFakeServer, RecordedCall, UploadedFile

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_TEXT = 40_000

_BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "rich_text",
    "section",
    "video",
    "markdown",
    "call",
}
_ELEMENT_TYPES = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "image",
    "multi_static_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "multi_external_select",
    "number_input",
    "overflow",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "timepicker",
    "url_text_input",
    "file_input",
    "workflow_button",
}
_JSON_FIELDS = {"blocks", "attachments", "view", "files", "metadata"}
_CHANNEL = re.compile(r"^[CDGU][A-Z0-9]{2,}$")


class SlackError(Exception):
    def __init__(self, error: str, details: list[str] | None = None):
        super().__init__(error)
        self.error = error
        self.details = details or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.details:
            body["errors"] = self.details
            body["response_metadata"] = {"messages": [f"[ERROR] {d}" for d in self.details]}
        return body


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None


# --------------------------------------------------------------------------- Block Kit
def check_blocks(blocks: Any, limit: int) -> None:
    """Raise SlackError("invalid_blocks") where Slack would."""
    problems: list[str] = []
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks", ["blocks must be an array"])
    if len(blocks) > limit:
        problems.append(f"must be at most {limit} blocks [json-pointer:/blocks]")
    for index, block in enumerate(blocks):
        pointer = f"/blocks/{index}"
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            problems.append(f"unknown or missing block type [json-pointer:{pointer}/type]")
            continue
        if len(str(block.get("block_id", ""))) > 255:
            problems.append(f"must be at most 255 characters [json-pointer:{pointer}/block_id]")
        _check_block(block, pointer, problems)
    if problems:
        raise SlackError("invalid_blocks", problems)


def _check_block(block: dict[str, Any], pointer: str, problems: list[str]) -> None:
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"must provide text or fields [json-pointer:{pointer}]")
        if "text" in block:
            _check_text(block["text"], f"{pointer}/text", MAX_SECTION_TEXT, problems)
        for index, field in enumerate(block.get("fields", [])):
            _check_text(field, f"{pointer}/fields/{index}", 2000, problems)
        if "accessory" in block:
            _check_element(block["accessory"], f"{pointer}/accessory", problems)
    elif kind == "header":
        _check_text(block.get("text"), f"{pointer}/text", 150, problems, plain_only=True)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
            problems.append(f"must have 1 to 25 elements [json-pointer:{pointer}/elements]")
            return
        for index, element in enumerate(elements):
            _check_element(element, f"{pointer}/elements/{index}", problems)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            problems.append(f"must have 1 to 10 elements [json-pointer:{pointer}/elements]")
            return
        for index, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") == "image":
                continue
            _check_text(element, f"{pointer}/elements/{index}", 3000, problems)
    elif kind == "image":
        if not block.get("alt_text"):
            problems.append(f"missing alt_text [json-pointer:{pointer}/alt_text]")
        if not (block.get("image_url") or block.get("slack_file")):
            problems.append(f"missing image_url [json-pointer:{pointer}/image_url]")
    elif kind == "input":
        _check_text(block.get("label"), f"{pointer}/label", 2000, problems, plain_only=True)
        if "element" not in block:
            problems.append(f"missing element [json-pointer:{pointer}/element]")
        else:
            _check_element(block["element"], f"{pointer}/element", problems)


def _check_text(
    text: Any, pointer: str, limit: int, problems: list[str], *, plain_only: bool = False
) -> None:
    allowed = {"plain_text"} if plain_only else {"plain_text", "mrkdwn"}
    if not isinstance(text, dict) or text.get("type") not in allowed:
        problems.append(f"must be a {' or '.join(sorted(allowed))} object [json-pointer:{pointer}]")
        return
    value = text.get("text")
    if not isinstance(value, str) or not value:
        problems.append(f"must be a non-empty string [json-pointer:{pointer}/text]")
    elif len(value) > limit:
        problems.append(f"must be at most {limit} characters [json-pointer:{pointer}/text]")


def _check_element(element: Any, pointer: str, problems: list[str]) -> None:
    if not isinstance(element, dict) or element.get("type") not in _ELEMENT_TYPES:
        problems.append(f"unknown element type [json-pointer:{pointer}/type]")
        return
    if len(str(element.get("action_id", ""))) > MAX_ACTION_ID:
        problems.append(
            f"must be at most {MAX_ACTION_ID} characters [json-pointer:{pointer}/action_id]"
        )
    if element["type"] in {"button", "workflow_button"}:
        _check_text(
            element.get("text"), f"{pointer}/text", MAX_BUTTON_TEXT, problems, plain_only=True
        )
        if len(str(element.get("value", ""))) > 2000:
            problems.append(f"must be at most 2000 characters [json-pointer:{pointer}/value]")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"style must be primary or danger [json-pointer:{pointer}/style]")
    options = element.get("options")
    if options is not None and (not isinstance(options, list) or len(options) > 100):
        problems.append(f"must have at most 100 options [json-pointer:{pointer}/options]")


# --------------------------------------------------------------------------- server
class FakeSlackWebAPI(LocalFakeServer):
    """Fake Slack workspace for one app. Use as `async with FakeSlackWebAPI() as slack:`."""

    def __init__(
        self,
        *,
        valid_tokens: set[str] | None = None,
        team_id: str = "T0TRAINLY",
        team_name: str = "Trainlytics Coaches",
        bot_user_id: str = "U0BOTUSER",
        bot_id: str = "B0BOTID01",
    ) -> None:
        super().__init__()
        self.valid_tokens = valid_tokens
        self.team = {"id": team_id, "name": team_name}
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.shared_files: list[dict[str, Any]] = []
        self.missing_channels: set[str] = set()
        self.channels_without_bot: set[str] = set()
        self.issued_tokens: set[str] = set()
        self._failures: dict[str, deque[_Failure]] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0.0

    async def __aenter__(self) -> FakeSlackWebAPI:
        await self.start()
        return self

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_method)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        return app

    # ----------------------------------------------------------- test controls
    def add_user(
        self,
        user_id: str,
        *,
        name: str = "coach",
        real_name: str = "Coach",
        tz: str = "UTC",
        locale: str = "en-US",
        email: str | None = None,
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": self.team["id"],
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 0,
            "locale": locale,
            "profile": {
                "real_name": real_name,
                "display_name": name,
                **({"email": email} if email else {}),
            },
        }
        self.users[user_id] = user
        return user

    def channel_not_found(self, channel: str) -> None:
        self.missing_channels.add(channel)

    def remove_bot_from(self, channel: str) -> None:
        """Posting to `channel` now fails with not_in_channel."""
        self.channels_without_bot.add(channel)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Next `times` calls of `method` fail: HTTP 429 + Retry-After, another HTTP
        status, or (status=200) Slack's `{"ok": false, "error": error}`."""
        if status == 429 and retry_after is None:
            retry_after = 1
        default = {429: "ratelimited", 200: "internal_error"}.get(status, "fatal_error")
        queue = self._failures.setdefault(method, deque())
        queue.extend(_Failure(status, error or default, retry_after) for _ in range(times))

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages currently in `channel` (or everywhere), oldest first."""
        return [
            m
            for (c, _), m in sorted(self.messages.items(), key=lambda i: i[0][1])
            if channel is None or c == channel
        ]

    # ----------------------------------------------------------- plumbing
    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        call = RecordedCall(method=method, params={})
        headers: dict[str, str] = {}
        try:
            call.params = await _read_params(request)
            if method != "oauth.v2.access":
                self._authenticate(request, call.params)
            failures = self._failures.get(method)
            if failures:
                failure = failures.popleft()
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                call.status, call.response = failure.status, {"ok": False, "error": failure.error}
            else:
                handler = self._handlers().get(method)
                if handler is None:
                    raise SlackError("unknown_method")
                call.status, call.response = 200, {"ok": True, **handler(call.params)}
        except SlackError as error:
            call.status, call.response = 200, error.body()
        await self.record(call)
        return web.json_response(call.response, status=call.status, headers=headers)

    def _authenticate(self, request: web.Request, params: dict[str, Any]) -> None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        token = token or str(params.get("token") or "")
        if not token:
            raise SlackError("not_authed")
        if self.valid_tokens is not None:
            valid = token in self.valid_tokens or token in self.issued_tokens
        else:
            valid = token.startswith("xoxb-")
        if not valid:
            raise SlackError("invalid_auth")

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file not found")
        data = await request.read()
        upload["data"] = data
        await self.record(
            RecordedCall(
                method="upload",
                params={"file_id": request.match_info["file_id"]},
                files={"file": UploadedFile("file", upload["filename"], "", data)},
                status=200,
                response={"ok": True},
            )
        )
        return web.Response(text=f"OK - {len(data)}")

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.open": self._open_conversation,
            "users.info": self._user_info,
            "views.publish": self._publish_view,
            "views.open": self._open_view,
            "views.update": self._update_view,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "oauth.v2.access": self._oauth_access,
        }

    def _new_ts(self) -> str:
        # Slack ts are unique per channel, increasing, microsecond-formatted.
        now = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08d}"

    def _channel(self, params: dict[str, Any], name: str = "channel") -> str:
        channel = str(params.get(name) or "")
        if not channel:
            raise SlackError("channel_not_found")
        if channel in self.missing_channels or not _CHANNEL.match(channel):
            raise SlackError("channel_not_found")
        if channel in self.channels_without_bot:
            raise SlackError("not_in_channel")
        return channel

    # ----------------------------------------------------------- methods
    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://trainlytics-coaches.slack.com/",
            "team": self.team["name"],
            "user": "trainlytics",
            "team_id": self.team["id"],
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _message_content(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text")
        blocks = params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
        if text and len(str(text)) > MAX_TEXT:
            raise SlackError("msg_too_long")
        content: dict[str, Any] = {"text": str(text or "")}
        if blocks is not None:
            check_blocks(blocks, MAX_MESSAGE_BLOCKS)
            content["blocks"] = blocks
        return content

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        content = self._message_content(params)
        thread_ts = params.get("thread_ts")
        if thread_ts and (channel, str(thread_ts)) not in self.messages:
            raise SlackError("thread_not_found")
        ts = self._new_ts()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "ts": ts,
            "team": self.team["id"],
            **content,
        }
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
        self.messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "message": message}

    def _existing(self, params: dict[str, Any]) -> tuple[str, str]:
        channel = self._channel(params)
        ts = str(params.get("ts") or "")
        if (channel, ts) not in self.messages:
            raise SlackError("message_not_found")
        return channel, ts

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._existing(params)
        message = self.messages[(channel, ts)]
        message.update(self._message_content(params))
        if params.get("blocks") == []:
            message.pop("blocks", None)
        message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._existing(params)
        del self.messages[(channel, ts)]
        return {"channel": channel, "ts": ts}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("user"):
            raise SlackError("user_not_found")
        content = self._message_content(params)
        self.ephemeral.append({"channel": channel, "user": params["user"], **content})
        return {"message_ts": self._new_ts()}

    def _open_conversation(self, params: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users and not params.get("channel"):
            raise SlackError("users_list_not_supplied")
        unknown = [u for u in users if u not in self.users]
        if unknown:
            raise SlackError("user_not_found")
        channel_id = "D" + "".join(sorted(u.removeprefix("U") for u in users))[:10].upper()
        return {"channel": {"id": channel_id}}

    def _user_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """users.info as Slack documents it: `tz`, `tz_label` and `tz_offset` (seconds east
        of UTC, now) always; `locale` only when asked with `include_locale=true`."""
        user = self.users.get(str(params.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        answer = dict(user)
        offset = datetime.now(ZoneInfo(user["tz"])).utcoffset() if user.get("tz") else None
        answer["tz_offset"] = int(offset.total_seconds()) if offset is not None else 0
        if str(params.get("include_locale", "")).lower() not in ("1", "true"):
            answer.pop("locale", None)
        return {"user": answer}

    def _check_view(self, view: Any, expected: set[str]) -> dict[str, Any]:
        if not isinstance(view, dict) or view.get("type") not in expected:
            raise SlackError("invalid_arguments", [f"view type must be {' or '.join(expected)}"])
        check_blocks(view.get("blocks"), MAX_VIEW_BLOCKS)
        if view["type"] == "modal":
            problems: list[str] = []
            _check_text(view.get("title"), "/view/title", 24, problems, plain_only=True)
            has_input = any(b.get("type") == "input" for b in view["blocks"])
            if has_input and "submit" not in view:
                problems.append("submit is required when a view has input blocks")
            if problems:
                raise SlackError("invalid_arguments", problems)
        return view

    def _stored_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or self._new_id("V")
        stored = {"id": view_id, "team_id": self.team["id"], "hash": self._new_ts(), **view}
        self.views[view_id] = stored
        return stored

    def _publish_view(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user_id") or "")
        if not user_id:
            raise SlackError("invalid_arguments", ["user_id is required"])
        view = self._check_view(params.get("view"), {"home"})
        previous = self.home_views.get(user_id)
        stored = self._stored_view(view, previous["id"] if previous else None)
        self.home_views[user_id] = stored
        return {"view": stored}

    def _open_view(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        return {"view": self._stored_view(self._check_view(params.get("view"), {"modal"}))}

    def _update_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id") or "")
        external_id = params.get("external_id")
        if external_id:
            view_id = next(
                (v["id"] for v in self.views.values() if v.get("external_id") == external_id), ""
            )
        if view_id not in self.views:
            raise SlackError("not_found")
        view = self._check_view(params.get("view"), {"modal", "home"})
        return {"view": self._stored_view(view, view_id)}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = str(params.get("filename") or "")
        try:
            length = int(params.get("length") or 0)
        except (TypeError, ValueError):
            length = 0
        if not filename or length <= 0:
            raise SlackError("invalid_arguments", ["filename and a positive length are required"])
        file_id = self._new_id("F")
        self.uploads[file_id] = {"filename": filename, "length": length, "data": None}
        return {"upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", ["files is required"])
        channel = self._channel(params, "channel_id") if params.get("channel_id") else None
        completed = []
        for entry in files:
            upload = self.uploads.get(str(entry.get("id")))
            if upload is None or upload["data"] is None:
                raise SlackError("file_not_found")
            if len(upload["data"]) != upload["length"]:
                raise SlackError("file_upload_size_mismatch")
            shared = {
                "id": entry["id"],
                "name": upload["filename"],
                "title": entry.get("title") or upload["filename"],
                "size": upload["length"],
                "data": upload["data"],
                "channel": channel,
                "thread_ts": params.get("thread_ts"),
                "initial_comment": params.get("initial_comment"),
            }
            self.shared_files.append(shared)
            completed.append({k: v for k, v in shared.items() if k != "data"})
        return {"files": completed}

    def _oauth_access(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("code"):
            raise SlackError("invalid_code")
        if not (params.get("client_id") or params.get("_basic_auth")):
            raise SlackError("invalid_client_id")
        token = f"xoxb-{next(self._ids)}-{self.team['id']}-fake"
        self.issued_tokens.add(token)
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,files:write,im:write,users:read",
            "bot_user_id": self.bot_user_id,
            "app_id": "A0TRAINLY",
            "team": dict(self.team),
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0INSTALLER", "scope": "", "token_type": "user"},
        }


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from query string plus a JSON or form body, nested JSON decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        params.update(body)
    elif request.body_exists:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    if request.headers.get("Authorization", "").startswith("Basic "):
        params["_basic_auth"] = True
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                raise SlackError("invalid_arguments", [f"{key} is not valid JSON"]) from None
    return params
