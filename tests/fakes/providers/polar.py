"""A strict fake of Polar AccessLink v3 (providers.md §3 and §7.3).

`api_base` = `{base_url}/v3`, `oauth_base` = `{base_url}/oauth2`, `token_url` =
`{base_url}/v2/oauth2/token` (Polar's token host differs from its authorize host).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from tests.fakes.providers.base import FakeServer, json_error, new_token


def polar_error(status: int, message: str) -> web.Response:
    return json_error(
        status,
        {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "status": status,
            "errorType": "fake",
            "message": message,
            "corrId": secrets.token_hex(8),
        },
    )


@dataclass
class PolarUser:
    id: int
    registered_at: datetime | None = None
    member_id: str | None = None
    exercises: list[dict[str, Any]] = field(default_factory=list)


class FakePolar(FakeServer):
    def __init__(
        self,
        client_id: str = "polar-client",
        client_secret: str = "polar-secret",
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.users: dict[int, PolarUser] = {}
        self.tokens: dict[str, int] = {}
        self.codes: dict[str, tuple[int, str | None]] = {}
        self.fit_files: dict[str, bytes] = {}
        self.webhook: dict[str, Any] | None = None
        self._user_ids = itertools.count(475)
        super().__init__()

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/v3"

    @property
    def oauth_base(self) -> str:
        return f"{self.base_url}/oauth2"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/v2/oauth2/token"

    # ------------------------------------------------------------------ helpers for tests

    def add_user(self) -> int:
        user = PolarUser(next(self._user_ids))
        self.users[user.id] = user
        return user.id

    def authorize(self, user_id: int, redirect_uri: str | None = None) -> str:
        code = new_token("code")
        self.codes[code] = (user_id, redirect_uri)
        return code

    def add_exercise(
        self,
        user_id: int,
        fit: bytes,
        *,
        start_utc: datetime,
        utc_offset_min: int = 120,
        sport: str = "RUNNING",
        detailed_sport_info: str = "RUNNING",
        uploaded: datetime | None = None,
    ) -> str:
        exercise_id = secrets.token_urlsafe(6)
        local = (start_utc + timedelta(minutes=utc_offset_min)).replace(tzinfo=None)
        upload = uploaded or self.clock()
        self.users[user_id].exercises.append(
            {
                "id": exercise_id,
                "upload_time": upload.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "polar_user": f"https://www.polaraccesslink.com/v3/users/{user_id}",
                "device": "Polar Vantage V3",
                "device_id": "1111AAAA",
                "start_time": local.strftime("%Y-%m-%dT%H:%M:%S"),
                "start_time_utc_offset": utc_offset_min,
                "duration": "PT45M0S",
                "calories": 530,
                "distance": 10123.0,
                "heart_rate": {"average": 129, "maximum": 147},
                "training_load": 143.22,
                "sport": sport,
                "has_route": True,
                "detailed_sport_info": detailed_sport_info,
                "running-index": 51,
            }
        )
        self.fit_files[exercise_id] = fit
        return exercise_id

    def revoke(self, user_id: int) -> None:
        """The athlete removed the app in Polar Flow: their tokens answer 401 from now on."""
        self.tokens = {k: v for k, v in self.tokens.items() if v != user_id}

    def sign(self, raw_body: bytes) -> str:
        if self.webhook is None:
            raise RuntimeError("create the webhook first: Polar signs with its secret")
        key = self.webhook["signature_secret_key"].encode()
        return hmac.new(key, raw_body, hashlib.sha256).hexdigest()

    def exercise_event(self, user_id: int, exercise_id: str) -> bytes:
        return json.dumps(
            {
                "event": "EXERCISE",
                "user_id": user_id,
                "entity_id": exercise_id,
                "timestamp": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "url": f"https://www.polaraccesslink.com/v3/exercises/{exercise_id}",
            }
        ).encode()

    async def send_event(self, url: str, raw_body: bytes) -> int:
        headers = {
            "Content-Type": "application/json",
            "Polar-Webhook-Signature": self.sign(raw_body),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=raw_body, headers=headers) as response,
        ):
            return response.status

    # ------------------------------------------------------------------ routes

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/oauth2/authorization", self._authorize)
        router.add_post("/v2/oauth2/token", self._token)
        router.add_post("/v3/users", self._register)
        router.add_get("/v3/users/{id}", self._user_info)
        router.add_delete("/v3/users/{id}", self._deregister)
        router.add_get("/v3/exercises", self._exercises)
        router.add_get("/v3/exercises/{id}", self._exercise)
        router.add_get("/v3/exercises/{id}/fit", self._fit)
        router.add_post("/v3/webhooks", self._create_webhook)

    def _client_basic(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return request.headers.get("Authorization", "") == f"Basic {expected}"

    def _user(self, request: web.Request) -> PolarUser | None:
        value = request.headers.get("Authorization", "")
        user_id = (
            self.tokens.get(value.removeprefix("Bearer ")) if value.startswith("Bearer ") else None
        )
        return self.users.get(user_id) if user_id is not None else None

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return polar_error(400, "invalid authorization request")
        if not self.users or not q.get("redirect_uri"):
            return polar_error(400, "no user or redirect_uri")
        code = self.authorize(next(iter(self.users)), q["redirect_uri"])
        raise web.HTTPFound(
            q["redirect_uri"] + "?" + urlencode({"state": q.get("state", ""), "code": code})
        )

    async def _token(self, request: web.Request) -> web.Response:
        if not self._client_basic(request):
            return json_error(401, {"error": "invalid_client"})
        form = await request.post()
        if form.get("grant_type") != "authorization_code":
            return json_error(400, {"error": "unsupported_grant_type"})
        entry = self.codes.pop(str(form.get("code")), None)
        if entry is None:
            return json_error(400, {"error": "invalid_grant"})
        user_id, redirect_uri = entry
        if redirect_uri and form.get("redirect_uri") != redirect_uri:
            return json_error(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
        access = new_token("polar-access")
        self.tokens[access] = user_id
        return web.json_response(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": 315_360_000,
                "x_user_id": user_id,
            }
        )

    async def _register(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return polar_error(401, "Unauthorized")
        body = await request.json()
        if user.registered_at is not None:
            return polar_error(409, "User already registered")
        user.registered_at = self.clock().replace(microsecond=0)
        user.member_id = body["member-id"]
        return web.json_response(
            {
                "polar-user-id": user.id,
                "member-id": user.member_id,
                "registration-date": user.registered_at.isoformat(),
            }
        )

    async def _user_info(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None or str(user.id) != request.match_info["id"]:
            return polar_error(401, "Unauthorized")
        if user.registered_at is None:
            return polar_error(404, "User not registered")
        return web.json_response(
            {
                "polar-user-id": user.id,
                "member-id": user.member_id,
                "registration-date": user.registered_at.isoformat(),
            }
        )

    async def _deregister(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None or str(user.id) != request.match_info["id"]:
            return polar_error(401, "Unauthorized")
        user.registered_at = None
        self.tokens = {k: v for k, v in self.tokens.items() if v != user.id}
        return web.Response(status=204)

    def _visible(self, user: PolarUser) -> list[dict[str, Any]]:
        """Only exercises uploaded after registration and within the last 30 days."""
        if user.registered_at is None:
            return []
        oldest = self.clock() - timedelta(days=30)

        def uploaded(e: dict[str, Any]) -> datetime:
            return datetime.fromisoformat(e["upload_time"].replace("Z", "+00:00"))

        return [e for e in user.exercises if uploaded(e) >= max(oldest, user.registered_at)]

    async def _exercises(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return polar_error(401, "Unauthorized")
        visible = self._visible(user)
        return web.json_response(visible) if visible else web.Response(status=204)

    def _one(self, request: web.Request) -> tuple[PolarUser | None, dict[str, Any] | None]:
        user = self._user(request)
        if user is None:
            return None, None
        wanted = request.match_info["id"]
        return user, next((e for e in self._visible(user) if e["id"] == wanted), None)

    async def _exercise(self, request: web.Request) -> web.Response:
        user, exercise = self._one(request)
        if user is None:
            return polar_error(401, "Unauthorized")
        return web.json_response(exercise) if exercise else polar_error(404, "Not found")

    async def _fit(self, request: web.Request) -> web.Response:
        user, exercise = self._one(request)
        if user is None:
            return polar_error(401, "Unauthorized")
        if exercise is None:
            return polar_error(404, "Not found")
        return web.Response(
            body=self.fit_files[exercise["id"]], content_type="application/octet-stream"
        )

    async def _create_webhook(self, request: web.Request) -> web.Response:
        if not self._client_basic(request):
            return polar_error(401, "Unauthorized")
        if self.webhook is not None:
            return polar_error(409, "Webhook already exists")
        body = await request.json()
        ping = {"timestamp": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"), "event": "PING"}
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(body["url"], json=ping) as response,
            ):
                pinged = response.status == 200
        except aiohttp.ClientError:
            pinged = False
        if not pinged:
            return polar_error(400, "Webhook url did not answer the PING with 200")
        self.webhook = {
            "id": secrets.token_hex(4),
            "events": body["events"],
            "url": body["url"],
            "signature_secret_key": secrets.token_hex(16),
        }
        return web.json_response({"data": self.webhook}, status=201)
