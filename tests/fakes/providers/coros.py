"""A strict fake of the COROS Open API (providers.md §4 and §7.4).

`api_base` = `base_url`, `oauth_base` = `{base_url}/oauth2`. Errors come as HTTP 200
with a non-"0000" `result`, as COROS does.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from tests.fakes.providers.base import FakeServer, json_error, new_token


def result(code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"result": code, "message": message, **extra})


@dataclass
class CorosUser:
    open_id: str
    workouts: list[dict[str, Any]] = field(default_factory=list)


class FakeCoros(FakeServer):
    def __init__(
        self,
        client_id: str = "coros-client",
        client_secret: str = "coros-secret",
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.users: dict[str, CorosUser] = {}
        self.codes: dict[str, str] = {}
        self.access_tokens: dict[str, tuple[str, datetime]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.fit_files: dict[str, bytes] = {}  # label id -> FIT bytes
        self.fit_links: dict[str, str] = {}  # signature -> label id (valid links only)
        self._labels = itertools.count(471_520_512_321_945_600)
        super().__init__()

    @property
    def api_base(self) -> str:
        return self.base_url

    @property
    def oauth_base(self) -> str:
        return f"{self.base_url}/oauth2"

    # ------------------------------------------------------------------ helpers for tests

    def add_user(self) -> str:
        user = CorosUser(new_token("open"))
        self.users[user.open_id] = user
        return user.open_id

    def authorize(self, open_id: str) -> str:
        code = new_token("code")
        self.codes[code] = open_id
        return code

    def expire_access_tokens(self, open_id: str) -> None:
        for token, (owner, _) in list(self.access_tokens.items()):
            if owner == open_id:
                self.access_tokens[token] = (owner, self.clock() - timedelta(seconds=1))

    def revoke(self, open_id: str) -> None:
        """The athlete unlinked the app at COROS: access and refresh tokens answer 5006."""
        self.access_tokens = {k: v for k, v in self.access_tokens.items() if v[0] != open_id}
        self.refresh_tokens = {k: v for k, v in self.refresh_tokens.items() if v != open_id}

    def _fit_url(self, label: str) -> str:
        signature = new_token("sig")
        self.fit_links[signature] = label
        return f"{self.base_url}/fit/{label}.fit?sig={signature}"

    def expire_fit_urls(self) -> None:
        self.fit_links.clear()

    def add_workout(
        self,
        open_id: str,
        fit: bytes,
        *,
        start: datetime,
        mode: int = 8,
        sub_mode: int = 1,
        duration_s: int = 3012,
        timezone_quarters: int = 4,
    ) -> dict[str, Any]:
        label = str(next(self._labels))
        self.fit_files[label] = fit
        workout = {
            "labelId": label,
            "openId": open_id,
            "mode": mode,
            "subMode": sub_mode,
            "startTime": int(start.timestamp()),
            "endTime": int(start.timestamp()) + duration_s,
            # offsets in 15-minute units, as COROS writes them
            "startTimezone": timezone_quarters,
            "endTimezone": timezone_quarters,
            "duration": duration_s,
            "distance": 8012.4,
            "fitUrl": self._fit_url(label),
        }
        self.users[open_id].workouts.append(workout)
        return dict(workout)

    def push_body(self, *workouts: dict[str, Any]) -> bytes:
        return json.dumps({"sportDataList": list(workouts)}).encode()

    async def send_push(self, url: str, raw_body: bytes, *, with_credentials: bool = True) -> int:
        headers = {"Content-Type": "application/json"}
        if with_credentials:
            headers |= {"client": self.client_id, "secret": self.client_secret}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=raw_body, headers=headers) as response,
        ):
            return response.status

    # ------------------------------------------------------------------ routes

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/oauth2/authorize", self._authorize)
        router.add_post("/oauth2/accesstoken", self._token)
        router.add_post("/oauth2/refresh-token", self._refresh)
        router.add_post("/oauth2/deauthorize", self._deauthorize)
        router.add_get("/v2/coros/sport/list", self._list)
        router.add_get("/v2/coros/sport/detail/fit", self._detail_fit)
        router.add_get("/fit/{name}", self._download)

    def _client_ok(self, form: Any) -> bool:
        return (form.get("client_id"), form.get("client_secret")) == (
            self.client_id,
            self.client_secret,
        )

    def _user(self, request: web.Request) -> CorosUser | None:
        entry = self.access_tokens.get(request.query.get("token", ""))
        if entry is None or entry[1] <= self.clock():
            return None
        if request.query.get("openId") not in (None, entry[0]):
            return None
        return self.users.get(entry[0])

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != self.client_id or not q.get("redirect_uri") or not self.users:
            return json_error(400, {"result": "1001", "message": "invalid request"})
        code = self.authorize(next(iter(self.users)))
        raise web.HTTPFound(
            q["redirect_uri"] + "?" + urlencode({"state": q.get("state", ""), "code": code})
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not self._client_ok(form):
            return result("5001", "client invalid")
        open_id = self.codes.pop(str(form.get("code")), None)
        if open_id is None or form.get("grant_type") != "authorization_code":
            return result("5002", "code invalid")
        access, refresh = new_token("coros-access"), new_token("coros-refresh")
        self.access_tokens[access] = (open_id, self.clock() + timedelta(days=30))
        self.refresh_tokens[refresh] = open_id
        return web.json_response(
            {
                "access_token": access,
                "refresh_token": refresh,
                "openId": open_id,
                "expires_in": 2_592_000,
            }
        )

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not self._client_ok(form):
            return result("5001", "client invalid")
        open_id = self.refresh_tokens.get(str(form.get("refresh_token")))
        if open_id is None:
            return result("5006", "token invalid")
        # COROS extends the current access token rather than issuing a new one.
        for token, (owner, _) in list(self.access_tokens.items()):
            if owner == open_id:
                self.access_tokens[token] = (owner, self.clock() + timedelta(days=30))
        return result("0000", "OK")

    async def _deauthorize(self, request: web.Request) -> web.Response:
        entry = self.access_tokens.get(request.query.get("token", ""))
        if entry is None:
            return result("5006", "token invalid")
        self.access_tokens = {k: v for k, v in self.access_tokens.items() if v[0] != entry[0]}
        self.refresh_tokens = {k: v for k, v in self.refresh_tokens.items() if v != entry[0]}
        return result("0000", "OK")

    async def _list(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return result("5006", "token invalid")
        try:
            first = datetime.strptime(request.query["startDate"], "%Y%m%d").date()
            last = datetime.strptime(request.query["endDate"], "%Y%m%d").date()
        except (KeyError, ValueError):
            return result("1002", "startDate and endDate (YYYYMMDD) required")
        if (last - first).days >= 30 or last < first:
            return result("1003", "date range longer than 30 days")

        def day(w: dict[str, Any]) -> Any:
            offset = timedelta(minutes=15 * w["startTimezone"])
            return (datetime.fromtimestamp(w["startTime"], UTC) + offset).date()

        data = [w for w in user.workouts if first <= day(w) <= last]
        return result("0000", "OK", data=data)

    async def _detail_fit(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return result("5006", "token invalid")
        label = request.query.get("labelId")
        if not any(w["labelId"] == label for w in user.workouts):
            return result("1004", "workout not found")
        if not request.query.get("mode") or not request.query.get("subMode"):
            return result("1002", "mode and subMode required")
        return result("0000", "OK", data={"fitUrl": self._fit_url(str(label))})

    async def _download(self, request: web.Request) -> web.Response:
        label = self.fit_links.get(request.query.get("sig", ""))
        if label is None or request.match_info["name"] != f"{label}.fit":
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>")
        return web.Response(body=self.fit_files[label], content_type="application/octet-stream")
