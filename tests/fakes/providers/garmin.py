"""A strict fake of Garmin's OAuth 2.0 PKCE and Activity API (providers.md §2 and §7.2).

`api_base` = `oauth_base` = `base_url`; `token_url` = `{base_url}/di-oauth2-service/oauth/token`.
"""

from __future__ import annotations

import base64
import hashlib
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

REST = "/wellness-api/rest"
ALL_PERMISSIONS = ("ACTIVITY_EXPORT", "HEALTH_EXPORT", "HISTORICAL_DATA_EXPORT")


@dataclass
class GarminUser:
    user_id: str
    permissions: tuple[str, ...]
    activities: list[dict[str, Any]] = field(default_factory=list)
    # Pulled summaries by type (`activities`, `manuallyUpdatedActivities`), with `_uploaded`.
    summaries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    backfills: set[tuple[int, int]] = field(default_factory=set)
    registered: bool = True


@dataclass
class GarminToken:
    user_id: str
    expires_at: datetime


class FakeGarmin(FakeServer):
    def __init__(
        self,
        client_id: str = "garmin-client",
        client_secret: str = "garmin-secret",
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.users: dict[str, GarminUser] = {}
        self.codes: dict[str, tuple[str, str, str]] = {}  # code -> user, challenge, redirect
        self.access_tokens: dict[str, GarminToken] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # one-time download token -> (user, fit)
        self.fit_by_summary: dict[str, bytes] = {}
        self._ids = itertools.count(21_245_513_045)
        super().__init__()

    @property
    def api_base(self) -> str:
        return self.base_url

    @property
    def oauth_base(self) -> str:
        return self.base_url

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/di-oauth2-service/oauth/token"

    # ------------------------------------------------------------------ helpers for tests

    def add_user(self, permissions: tuple[str, ...] = ALL_PERMISSIONS) -> str:
        user = GarminUser(new_token("garmin-user"), permissions)
        self.users[user.user_id] = user
        return user.user_id

    def authorize(self, user_id: str, code_challenge: str, redirect_uri: str) -> str:
        code = new_token("code")
        self.codes[code] = (user_id, code_challenge, redirect_uri)
        return code

    def expire_access_tokens(self, user_id: str) -> None:
        for token in self.access_tokens.values():
            if token.user_id == user_id:
                token.expires_at = self.clock() - timedelta(seconds=1)

    def add_activity(
        self,
        user_id: str,
        fit: bytes,
        *,
        start: datetime,
        activity_type: str = "RUNNING",
        name: str = "Morning Run",
        uploaded: datetime | None = None,
    ) -> dict[str, Any]:
        """Store an activity and return its `activityFiles` record (with a fresh URL)."""
        activity_id = next(self._ids)
        download = new_token("dl")
        self.files[download] = (user_id, fit)
        self.fit_by_summary[str(activity_id)] = fit
        record = {
            "userId": user_id,
            "summaryId": str(activity_id),
            "activityId": activity_id,
            "activityName": name,
            "activityType": activity_type,
            "fileType": "FIT",
            "startTimeInSeconds": int(start.timestamp()),
            "manual": False,
            "callbackURL": f"{self.base_url}{REST}/activityFile?id={activity_id}&token={download}",
            "_uploaded": int((uploaded or self.clock()).timestamp()),
        }
        self.users[user_id].activities.append(record)
        return _public(record)

    def activity_files_notification(self, *records: dict[str, Any]) -> dict[str, Any]:
        return {"activityFiles": [_public(r) for r in records]}

    def revoke(self, user_id: str) -> None:
        """The athlete withdrew consent: every access and refresh token of theirs is dead."""
        self.access_tokens = {k: v for k, v in self.access_tokens.items() if v.user_id != user_id}
        self.refresh_tokens = {k: v for k, v in self.refresh_tokens.items() if v != user_id}

    def backfill_notification(self, user_id: str) -> dict[str, Any]:
        """What Garmin pushes after a 202 backfill: the `activityFiles` records whose start
        falls in a requested window, each with a fresh single-use download URL."""
        user = self.users[user_id]
        records = []
        for record in user.activities:
            start = record["startTimeInSeconds"]
            if any(first <= start < last for first, last in user.backfills):
                download = new_token("dl")
                self.files[download] = (user_id, self._fit_of(record))
                record["callbackURL"] = (
                    f"{self.base_url}{REST}/activityFile?id={record['activityId']}&token={download}"
                )
                records.append(_public(record))
        return {"activityFiles": records}

    def manually_updated_notification(
        self, record: dict[str, Any], **changes: Any
    ) -> dict[str, Any]:
        """A `manuallyUpdatedActivities` push: the summary record (no file), same summaryId."""
        summary = {
            k: v
            for k, v in _public(record).items()
            if k not in ("fileType", "callbackURL", "manual")
        }
        summary |= {"durationInSeconds": 1800, "distanceInMeters": 5000.0, **changes}
        # Garmin lists the update at its pull endpoint too (what a push is checked against).
        listed = {**summary, "_uploaded": int(self.clock().timestamp())}
        user = self.users[record["userId"]]
        user.summaries.setdefault("manuallyUpdatedActivities", []).append(listed)
        return {"manuallyUpdatedActivities": [summary]}

    def deregister(self, user_id: str) -> None:
        """The athlete removes the app in Garmin Connect: tokens and refresh stop working."""
        self.users[user_id].registered = False

    def set_permissions(self, user_id: str, permissions: tuple[str, ...]) -> None:
        """The athlete toggles permissions in Garmin Connect."""
        self.users[user_id].permissions = permissions

    def _fit_of(self, record: dict[str, Any]) -> bytes:
        return self.fit_by_summary[record["summaryId"]]

    def deregistration_notification(self, user_id: str) -> dict[str, Any]:
        return {"deregistrations": [{"userId": user_id}]}

    def permissions_notification(self, user_id: str, permissions: list[str]) -> dict[str, Any]:
        return {
            "userPermissionsChange": [
                {
                    "userId": user_id,
                    "summaryId": new_token("perm"),
                    "permissions": permissions,
                    "changeTimeInSeconds": int(self.clock().timestamp()),
                }
            ]
        }

    async def send(self, url: str, notification: dict[str, Any]) -> int:
        """POST a notification like Garmin: JSON body and the `garmin-client-id` header."""
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                url,
                data=json.dumps(notification),
                headers={"garmin-client-id": self.client_id, "Content-Type": "application/json"},
            ) as response,
        ):
            return response.status

    # ------------------------------------------------------------------ routes

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/oauth2Confirm", self._authorize)
        router.add_post("/di-oauth2-service/oauth/token", self._token)
        for prefix in (REST, "/partner-gateway/rest"):
            router.add_get(f"{prefix}/user/id", self._user_id)
            router.add_get(f"{prefix}/user/permissions", self._permissions)
        router.add_delete(f"{REST}/user/registration", self._deregister)
        router.add_get(f"{REST}/activityFiles", self._activity_files)
        for kind in ("activities", "manuallyUpdatedActivities"):
            router.add_get(f"{REST}/{kind}", self._summaries(kind))
        router.add_get(f"{REST}/activityFile", self._download)
        router.add_get(f"{REST}/backfill/{{kind}}", self._backfill)

    def _user(self, request: web.Request) -> GarminUser | None:
        value = request.headers.get("Authorization", "")
        token = (
            self.access_tokens.get(value.removeprefix("Bearer "))
            if value.startswith("Bearer ")
            else None
        )
        if token is None or token.expires_at <= self.clock():
            return None
        user = self.users.get(token.user_id)
        return user if user and user.registered else None

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if (
            q.get("client_id") != self.client_id
            or q.get("response_type") != "code"
            or q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
            or not q.get("redirect_uri")
        ):
            return json_error(400, {"error": "invalid_request"})
        if not self.users:
            return json_error(400, {"error": "no user logged in to the fake"})
        code = self.authorize(next(iter(self.users)), q["code_challenge"], q["redirect_uri"])
        raise web.HTTPFound(
            q["redirect_uri"] + "?" + urlencode({"state": q.get("state", ""), "code": code})
        )

    def _issue(self, user_id: str) -> dict[str, Any]:
        access, refresh = new_token("garmin-access"), new_token("garmin-refresh")
        self.access_tokens[access] = GarminToken(user_id, self.clock() + timedelta(hours=24))
        self.refresh_tokens[refresh] = user_id
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": 86_400,
            "refresh_token": refresh,
            "refresh_token_expires_in": 7_775_998,
            "scope": " ".join(self.users[user_id].permissions),
            "jti": new_token("jti"),
        }

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        credentials = (form.get("client_id"), form.get("client_secret"))
        if credentials != (self.client_id, self.client_secret):
            return json_error(401, {"error": "invalid_client"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            entry = self.codes.pop(str(form.get("code")), None)
            if entry is None:
                return json_error(400, {"error": "invalid_grant"})
            user_id, challenge, redirect_uri = entry
            verifier = str(form.get("code_verifier") or "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                return json_error(
                    400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                )
            if form.get("redirect_uri") != redirect_uri:
                return json_error(
                    400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
                )
            return web.json_response(self._issue(user_id))
        if grant == "refresh_token":
            refreshed_user = self.refresh_tokens.pop(str(form.get("refresh_token")), None)
            if refreshed_user is None or not self.users[refreshed_user].registered:
                return json_error(400, {"error": "invalid_grant"})
            return web.json_response(self._issue(refreshed_user))  # always a new refresh token
        return json_error(400, {"error": "unsupported_grant_type"})

    async def _user_id(self, request: web.Request) -> web.Response:
        user = self._user(request)
        return web.json_response({"userId": user.user_id}) if user else web.Response(status=401)

    async def _permissions(self, request: web.Request) -> web.Response:
        user = self._user(request)
        return web.json_response(list(user.permissions)) if user else web.Response(status=401)

    async def _deregister(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return web.Response(status=401)
        user.registered = False
        return web.Response(status=204)

    async def _activity_files(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return web.Response(status=401)
        return _uploaded_in(request, user.activities)

    def _summaries(self, kind: str) -> Callable[[web.Request], Any]:
        async def listed(request: web.Request) -> web.Response:
            user = self._user(request)
            if user is None:
                return web.Response(status=401)
            return _uploaded_in(request, user.summaries.get(kind, []))

        return listed

    async def _download(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return web.Response(status=401)
        entry = self.files.pop(request.query.get("token", ""), None)  # single use
        if entry is None or entry[0] != user.user_id:
            return json_error(404, {"errorMessage": "file not found or already downloaded"})
        return web.Response(body=entry[1], content_type="application/octet-stream")

    async def _backfill(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return web.Response(status=401)
        if "HISTORICAL_DATA_EXPORT" not in user.permissions:
            return json_error(403, {"errorMessage": "HISTORICAL_DATA_EXPORT not granted"})
        window = (
            int(request.query["summaryStartTimeInSeconds"]),
            int(request.query["summaryEndTimeInSeconds"]),
        )
        if window[1] - window[0] > 30 * 86_400:
            return json_error(400, {"errorMessage": "backfill window exceeds 30 days"})
        if window in user.backfills:
            return json_error(409, {"errorMessage": "duplicate backfill"})
        user.backfills.add(window)
        return web.Response(status=202)


def _uploaded_in(request: web.Request, records: list[dict[str, Any]]) -> web.Response:
    """A pull endpoint: the records uploaded in the query's window (at most 86,400 s)."""
    try:
        start = int(request.query["uploadStartTimeInSeconds"])
        end = int(request.query["uploadEndTimeInSeconds"])
    except (KeyError, ValueError):
        return json_error(400, {"errorMessage": "upload time window required"})
    if not 0 < end - start <= 86_400:
        return json_error(400, {"errorMessage": "time range exceeds 86400 seconds"})
    return web.json_response([_public(r) for r in records if start <= r["_uploaded"] < end])


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}
