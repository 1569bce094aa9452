"""A strict fake of Strava API v3 + OAuth (providers.md §1 and §7.1).

`api_base` = `{base_url}/api/v3`, `oauth_base` = `{base_url}/oauth`.
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

ACCESS_LIFETIME = timedelta(hours=6)
AUTH_ERROR = {
    "message": "Authorization Error",
    "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
}
MISSING_SCOPE = {
    "message": "Authorization Error",
    "errors": [{"resource": "AccessToken", "field": "activity:read_permission", "code": "missing"}],
}
RATE_LIMIT_BODY = {
    "message": "Rate Limit Exceeded",
    "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}],
}
NOT_FOUND = {
    "message": "Record Not Found",
    "errors": [{"resource": "Activity", "field": "id", "code": "invalid"}],
}


def bad_request(resource: str, field_name: str) -> dict[str, Any]:
    return {
        "message": "Bad Request",
        "errors": [{"resource": resource, "field": field_name, "code": "invalid"}],
    }


@dataclass
class Limits:
    overall_15min: int = 200
    overall_daily: int = 2000
    read_15min: int = 100
    read_daily: int = 1000


@dataclass
class Usage:
    overall_15min: int = 0
    overall_daily: int = 0
    read_15min: int = 0
    read_daily: int = 0


@dataclass
class FakeAthlete:
    id: int
    granted_scopes: tuple[str, ...] = ("read", "activity:read_all")
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AccessToken:
    athlete_id: int
    expires_at: datetime
    scopes: tuple[str, ...]


class FakeStrava(FakeServer):
    def __init__(
        self,
        client_id: str = "1234",
        client_secret: str = "strava-secret",
        *,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rotate_refresh_tokens: bool = True,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.limits = limits or Limits()
        self.usage = Usage()
        self.clock = clock
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.athletes: dict[int, FakeAthlete] = {}
        self.streams: dict[int, dict[str, list[Any]]] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, int] = {}
        self.codes: dict[str, tuple[int, tuple[str, ...], str]] = {}
        self.subscriptions: list[dict[str, Any]] = []
        self._ids = itertools.count(17_000_000_001)
        self._athlete_ids = itertools.count(134_815)
        self._subscription_ids = itertools.count(120_475)
        super().__init__()

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v3"

    @property
    def oauth_base(self) -> str:
        return f"{self.base_url}/oauth"

    # ------------------------------------------------------------------ helpers for tests

    def add_athlete(self, granted_scopes: tuple[str, ...] = ("read", "activity:read_all")) -> int:
        athlete = FakeAthlete(next(self._athlete_ids), granted_scopes)
        self.athletes[athlete.id] = athlete
        return athlete.id

    def add_activity(
        self,
        athlete_id: int,
        *,
        start: datetime,
        sport_type: str = "Run",
        legacy_type: str | None = None,
        elapsed_s: int = 1800,
        name: str = "Morning Run",
        streams: dict[str, list[Any]] | None = None,
        utc_offset_s: int = 3600,
        **fields: Any,
    ) -> int:
        activity_id = next(self._ids)
        local = start + timedelta(seconds=utc_offset_s)
        summary: dict[str, Any] = {
            "resource_state": 2,
            "athlete": {"id": athlete_id, "resource_state": 1},
            "id": activity_id,
            "name": name,
            "type": legacy_type or sport_type,
            "sport_type": sport_type,
            "start_date": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            # Strava writes local wall time with a literal Z.
            "start_date_local": local.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timezone": "(GMT+01:00) Europe/Paris",
            "utc_offset": float(utc_offset_s),
            "elapsed_time": elapsed_s,
            "moving_time": fields.pop("moving_time", elapsed_s),
            "distance": fields.pop("distance", 5000.0),
            "total_elevation_gain": fields.pop("total_elevation_gain", 12.0),
            "private": fields.pop("private", False),
            "visibility": fields.pop("visibility", "everyone"),
            "trainer": False,
            "manual": streams is None,
            "commute": False,
            "external_id": fields.pop("external_id", f"{activity_id}.fit"),
            **fields,
        }
        self.athletes[athlete_id].activities.append(summary)
        if streams is not None:
            self.streams[activity_id] = streams
        return activity_id

    def remove_activity(self, athlete_id: int, activity_id: int) -> None:
        """The athlete deletes the activity on strava.com: its detail answers 404."""
        athlete = self.athletes[athlete_id]
        athlete.activities = [a for a in athlete.activities if a["id"] != activity_id]

    def change_activity(self, athlete_id: int, activity_id: int, **fields: Any) -> None:
        """The athlete edits the activity on strava.com (title, sport_type, private...)."""
        for summary in self.athletes[athlete_id].activities:
            if summary["id"] == activity_id:
                summary.update(fields)

    def authorize(self, athlete_id: int, scopes: tuple[str, ...], redirect_uri: str = "") -> str:
        """What the athlete's click on "Authorize" does: a single-use code."""
        granted = tuple(s for s in scopes if s in self.athletes[athlete_id].granted_scopes)
        code = new_token("code")
        self.codes[code] = (athlete_id, granted, redirect_uri)
        return code

    def expire_access_tokens(self, athlete_id: int) -> None:
        for token in self.access_tokens.values():
            if token.athlete_id == athlete_id:
                token.expires_at = self.clock() - timedelta(seconds=1)

    def revoke(self, athlete_id: int) -> None:
        """The athlete removes the app on strava.com: every token stops working."""
        self.access_tokens = {
            k: v for k, v in self.access_tokens.items() if v.athlete_id != athlete_id
        }
        self.refresh_tokens = {k: v for k, v in self.refresh_tokens.items() if v != athlete_id}

    def build_event(
        self,
        *,
        object_type: str,
        object_id: int,
        aspect_type: str,
        owner_id: int,
        updates: dict[str, str] | None = None,
        subscription_id: int | None = None,
        event_time: int | None = None,
    ) -> dict[str, Any]:
        if subscription_id is None:
            subscription_id = self.subscriptions[0]["id"] if self.subscriptions else 0
        return {
            "object_type": object_type,
            "object_id": object_id,
            "aspect_type": aspect_type,
            "updates": updates or {},
            "owner_id": owner_id,
            "subscription_id": subscription_id,
            "event_time": event_time or int(self.clock().timestamp()),
        }

    def deauthorize_event(self, athlete_id: int) -> dict[str, Any]:
        return self.build_event(
            object_type="athlete",
            object_id=athlete_id,
            aspect_type="update",
            owner_id=athlete_id,
            updates={"authorized": "false"},
        )

    async def send_event(self, callback_url: str, event: dict[str, Any]) -> int:
        """Deliver like Strava: up to 3 attempts until the callback answers 200."""
        status = 0
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                async with session.post(callback_url, json=event) as response:
                    status = response.status
                if status == 200:
                    break
        return status

    # ------------------------------------------------------------------ routes

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/oauth/authorize", self._authorize)
        router.add_post("/oauth/token", self._token)
        router.add_post("/api/v3/oauth/token", self._token)
        router.add_post("/oauth/deauthorize", self._deauthorize)
        router.add_get("/api/v3/athlete", self._limited(self._athlete))
        router.add_get("/api/v3/athlete/activities", self._limited(self._list))
        router.add_get("/api/v3/activities/{id}", self._limited(self._detail))
        router.add_get("/api/v3/activities/{id}/streams", self._limited(self._streams))
        router.add_post("/api/v3/push_subscriptions", self._limited(self._subscribe))
        router.add_get("/api/v3/push_subscriptions", self._limited(self._subscriptions))
        router.add_delete("/api/v3/push_subscriptions/{id}", self._limited(self._unsubscribe))

    def _rate_headers(self) -> dict[str, str]:
        u, lim = self.usage, self.limits
        return {
            "X-RateLimit-Limit": f"{lim.overall_15min},{lim.overall_daily}",
            "X-RateLimit-Usage": f"{u.overall_15min},{u.overall_daily}",
            "X-ReadRateLimit-Limit": f"{lim.read_15min},{lim.read_daily}",
            "X-ReadRateLimit-Usage": f"{u.read_15min},{u.read_daily}",
        }

    def _limited(self, handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            is_read = request.method == "GET"
            u, lim = self.usage, self.limits
            # Rejected requests still count (Strava's documented behaviour).
            u.overall_15min += 1
            u.overall_daily += 1
            if is_read:
                u.read_15min += 1
                u.read_daily += 1
            over = u.overall_15min > lim.overall_15min or u.overall_daily > lim.overall_daily
            if is_read:
                over = over or u.read_15min > lim.read_15min or u.read_daily > lim.read_daily
            if over:
                return json_error(429, RATE_LIMIT_BODY, self._rate_headers())
            response = await handler(request)
            response.headers.update(self._rate_headers())
            return response

        return wrapped

    def _bearer(self, request: web.Request) -> AccessToken | None:
        value = request.headers.get("Authorization", "")
        if not value.startswith("Bearer "):
            return None
        token = self.access_tokens.get(value.removeprefix("Bearer "))
        if token is None or token.expires_at <= self.clock():
            return None
        return token

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != self.client_id:
            return json_error(400, bad_request("Application", "client_id"))
        if q.get("response_type") != "code" or not q.get("redirect_uri"):
            return json_error(400, bad_request("Application", "redirect_uri"))
        if not self.athletes:
            return json_error(400, {"message": "no athlete is logged in to the fake"})
        athlete_id = next(iter(self.athletes))
        scopes = tuple(s for s in q.get("scope", "read").split(",") if s)
        code = self.authorize(athlete_id, scopes, q["redirect_uri"])
        granted = self.codes[code][1]
        target = (
            q["redirect_uri"]
            + "?"
            + urlencode({"state": q.get("state", ""), "code": code, "scope": ",".join(granted)})
        )
        raise web.HTTPFound(target)

    def _issue(self, athlete_id: int, scopes: tuple[str, ...]) -> tuple[str, str]:
        access, refresh = new_token("access"), new_token("refresh")
        self.access_tokens[access] = AccessToken(athlete_id, self.clock() + ACCESS_LIFETIME, scopes)
        self.refresh_tokens[refresh] = athlete_id
        return access, refresh

    def _token_json(self, access: str, refresh: str) -> dict[str, Any]:
        expires_at = self.access_tokens[access].expires_at
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": int(expires_at.timestamp()),
            "expires_in": int((expires_at - self.clock()).total_seconds()),
        }

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not self._app_auth(form):
            return json_error(401, bad_request("Application", "client_id"))
        grant = form.get("grant_type")
        if grant == "authorization_code":
            entry = self.codes.pop(str(form.get("code")), None)
            if entry is None:
                return json_error(400, bad_request("RequestToken", "code"))
            athlete_id, scopes, _ = entry
            access, refresh = self._issue(athlete_id, scopes)
            body = self._token_json(access, refresh)
            body["athlete"] = {"id": athlete_id, "resource_state": 2, "firstname": "Fake"}
            return web.json_response(body)
        if grant == "refresh_token":
            old_refresh = str(form.get("refresh_token"))
            refreshed_athlete = self.refresh_tokens.get(old_refresh)
            if refreshed_athlete is None:
                return json_error(400, bad_request("RefreshToken", "refresh_token"))
            current = [
                (k, v)
                for k, v in self.access_tokens.items()
                if v.athlete_id == refreshed_athlete
                and v.expires_at - self.clock() > timedelta(hours=1)
            ]
            if current:
                # Strava returns the same access token while it has more than 1 h left.
                access = current[0][0]
            else:
                scopes = next(
                    (
                        v.scopes
                        for v in self.access_tokens.values()
                        if v.athlete_id == refreshed_athlete
                    ),
                    ("read",),
                )
                access, spare_refresh = self._issue(refreshed_athlete, scopes)
                self.refresh_tokens.pop(spare_refresh)
            refresh = old_refresh
            if self.rotate_refresh_tokens:
                del self.refresh_tokens[old_refresh]
                refresh = new_token("refresh")
                self.refresh_tokens[refresh] = refreshed_athlete
            return web.json_response(self._token_json(access, refresh))
        return json_error(400, bad_request("Application", "grant_type"))

    async def _deauthorize(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("access_token") or "")
        if not token:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        entry = self.access_tokens.get(token)
        if entry is None:
            return json_error(401, AUTH_ERROR)
        self.revoke(entry.athlete_id)
        return web.json_response({"access_token": token})

    async def _athlete(self, request: web.Request) -> web.Response:
        token = self._bearer(request)
        if token is None:
            return json_error(401, AUTH_ERROR)
        return web.json_response(
            {"id": token.athlete_id, "resource_state": 2, "firstname": "Fake", "lastname": "A."}
        )

    def _readable(self, token: AccessToken, summary: dict[str, Any]) -> bool:
        if summary.get("visibility") == "only_me" or summary.get("private"):
            return "activity:read_all" in token.scopes
        return True

    async def _list(self, request: web.Request) -> web.Response:
        token = self._bearer(request)
        if token is None:
            return json_error(401, AUTH_ERROR)
        if not {"activity:read", "activity:read_all"} & set(token.scopes):
            return json_error(401, MISSING_SCOPE)
        q = request.query
        try:
            before = int(q["before"]) if "before" in q else None
            after = int(q["after"]) if "after" in q else None
            page = int(q.get("page", 1))
            per_page = int(q.get("per_page", 30))
        except ValueError:
            return json_error(400, bad_request("Application", "query"))
        if page < 1 or not 1 <= per_page <= 200:
            return json_error(400, bad_request("Application", "per_page"))
        items = [a for a in self.athletes[token.athlete_id].activities if self._readable(token, a)]

        def started(a: dict[str, Any]) -> float:
            return datetime.fromisoformat(a["start_date"].replace("Z", "+00:00")).timestamp()

        if before is not None:
            items = [a for a in items if started(a) < before]
        if after is not None:
            items = [a for a in items if started(a) > after]
        # Newest first, except oldest first when `after` is given.
        items.sort(key=started, reverse=after is None)
        window = items[(page - 1) * per_page : page * per_page]
        return web.json_response(window)

    def _find(self, token: AccessToken, activity_id: str) -> dict[str, Any] | None:
        for summary in self.athletes[token.athlete_id].activities:
            if str(summary["id"]) == activity_id and self._readable(token, summary):
                return summary
        return None

    async def _detail(self, request: web.Request) -> web.Response:
        token = self._bearer(request)
        if token is None:
            return json_error(401, AUTH_ERROR)
        summary = self._find(token, request.match_info["id"])
        if summary is None:
            return json_error(404, NOT_FOUND)
        return web.json_response(
            {
                **summary,
                "resource_state": 3,
                "calories": 420.0,
                "device_name": "Fake Device",
                "laps": [],
            }
        )

    async def _streams(self, request: web.Request) -> web.Response:
        token = self._bearer(request)
        if token is None:
            return json_error(401, AUTH_ERROR)
        summary = self._find(token, request.match_info["id"])
        if summary is None or summary["id"] not in self.streams:
            return json_error(404, NOT_FOUND)
        recorded = self.streams[summary["id"]]
        wanted = [k for k in request.query.get("keys", "").split(",") if k]
        # Without `keys` Strava answers with distance only; absent streams are left out.
        keys = [k for k in (wanted or ["distance"]) if k in recorded]
        if "distance" in recorded and "distance" not in keys:
            keys.append("distance")
        size = len(next(iter(recorded.values())))
        objects = {
            k: {
                "data": recorded[k],
                "series_type": "distance",
                "original_size": size,
                "resolution": "high",
            }
            for k in keys
        }
        if request.query.get("key_by_type") == "true":
            return web.json_response(objects)
        return web.json_response([{"type": k, **v} for k, v in objects.items()])

    def _app_auth(self, values: Any) -> bool:
        return (
            values.get("client_id") == self.client_id
            and values.get("client_secret") == self.client_secret
        )

    async def _subscribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not self._app_auth(form):
            return json_error(401, bad_request("Application", "client_id"))
        if self.subscriptions:
            return json_error(
                400,
                {
                    "message": "Bad Request",
                    "errors": [
                        {"resource": "PushSubscription", "field": "", "code": "already exists"}
                    ],
                },
            )
        callback = str(form.get("callback_url") or "")
        challenge = new_token("challenge")
        query = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": str(form.get("verify_token") or ""),
        }
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(
                    callback, params=query, timeout=aiohttp.ClientTimeout(total=2)
                ) as response,
            ):
                ok = response.status == 200 and json.loads(await response.text()) == {
                    "hub.challenge": challenge
                }
        except (aiohttp.ClientError, TimeoutError, ValueError):
            ok = False
        if not ok:
            return json_error(
                400,
                {
                    "message": "Bad Request",
                    "errors": [
                        {
                            "resource": "PushSubscription",
                            "field": "callback url",
                            "code": "GET to callback URL does not return 200",
                        }
                    ],
                },
            )
        now = self.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
        subscription = {
            "id": next(self._subscription_ids),
            "resource_state": 2,
            "application_id": int(self.client_id),
            "callback_url": callback,
            "created_at": now,
            "updated_at": now,
        }
        self.subscriptions.append(subscription)
        return web.json_response(subscription, status=201)

    async def _subscriptions(self, request: web.Request) -> web.Response:
        if not self._app_auth(request.query):
            return json_error(401, bad_request("Application", "client_id"))
        return web.json_response(self.subscriptions)

    async def _unsubscribe(self, request: web.Request) -> web.Response:
        if not self._app_auth(request.query):
            return json_error(401, bad_request("Application", "client_id"))
        before = len(self.subscriptions)
        self.subscriptions = [
            s for s in self.subscriptions if str(s["id"]) != request.match_info["id"]
        ]
        if len(self.subscriptions) == before:
            return json_error(404, NOT_FOUND)
        return web.Response(status=204)
