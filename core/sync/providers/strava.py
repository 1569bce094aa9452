"""Strava API v3 connector (OAuth, activities, streams, push subscriptions, webhooks).

Strava API agreement, as it shapes this module: the app reads only what the athlete
authorised (`read,activity:read_all`), keeps to the published rate limits (and stops
calling before Strava has to refuse), reports each activity's `private` flag so the
platform shows private activities only to their owner and coach, and surfaces the
athlete's revocation as a `deauthorize` event, which the platform believes only once
Strava itself refuses the athlete's token (`check_access`), before deleting their Strava
data. Events are not signed, so nothing in one is fetched but by id from the API base.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    FetchedActivity,
    MalformedWebhook,
    NotFound,
    ProviderConfig,
    ProviderError,
    ProviderName,
    RateLimited,
    TokenSet,
    WebhookEvent,
    WebhookRejected,
    event_key,
    json_object,
    json_objects,
    load_json_body,
    provider_id,
    raise_for_common_status,
)
from core.sync.providers.oauth import oauth_client, token_set_from
from core.sync.ratelimit import (
    WINDOW_15_MIN,
    InMemoryRateLimitStore,
    RateLimitState,
    RateLimitStore,
    next_window_end,
)
from core.sync.sports import strava_sport
from core.sync.strava_normalize import STREAM_KEYS, activity_from_strava, parse_strava_time

DEFAULT_SCOPES = ("read", "activity:read_all")
PAGE_SIZE = 200  # Strava's maximum per_page: fewest requests against the read limit


class StravaProvider:
    name: ProviderName = "strava"

    def __init__(
        self,
        config: ProviderConfig,
        http: httpx.AsyncClient,
        *,
        rate_limits: RateLimitStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._http = http
        self._rate_limits = rate_limits or InMemoryRateLimitStore()
        self._clock = clock
        self._rate_key = f"strava:{config.client_id}"

    # ------------------------------------------------------------------ OAuth

    def authorize_url(self, state: str, code_verifier: str | None = None) -> str:
        """Strava has no PKCE; `code_verifier` is accepted for the common protocol only."""
        client = oauth_client(self._http, self.config)
        url, _ = client.create_authorization_url(
            f"{self.config.oauth_base}/authorize",
            state=state,
            scope=",".join(self.config.scopes or DEFAULT_SCOPES),
            approval_prompt="auto",
        )
        return url

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> TokenSet:
        async with oauth_client(self._http, self.config) as client:
            payload = await client.fetch_token(
                f"{self.config.oauth_base}/token", code=code, grant_type="authorization_code"
            )
        athlete = payload.get("athlete") or {}
        return token_set_from(
            dict(payload),
            provider_user_id=str(athlete["id"]) if "id" in athlete else None,
            now=self._clock(),
        )

    async def refresh(self, token: TokenSet) -> TokenSet:
        """Strava may rotate the refresh token: persist the returned pair, whole."""
        if not token.refresh_token:
            raise AuthRevoked("Strava token has no refresh token")
        async with oauth_client(self._http, self.config) as client:
            payload = await client.refresh_token(
                f"{self.config.oauth_base}/token", refresh_token=token.refresh_token
            )
        return token_set_from(dict(payload), previous=token, now=self._clock())

    async def deauthorize(self, token: TokenSet) -> None:
        response = await self._http.post(
            f"{self.config.oauth_base}/deauthorize", data={"access_token": token.access_token}
        )
        if response.status_code == 401:
            return  # already revoked: the goal is reached
        raise_for_common_status(response, "Strava deauthorize")

    async def check_access(self, token: TokenSet) -> None:
        """`GET /athlete`: a 401 (then a refused refresh) is Strava confirming a revocation."""
        await self._request("GET", "/athlete", token=token)

    # ------------------------------------------------------------------ API calls

    async def _request(
        self,
        method: str,
        path: str,
        *,
        token: TokenSet | None = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        is_read = method.upper() == "GET"
        now = self._clock()
        known = await self._rate_limits.get(self._rate_key)
        if known is not None and (window := known.exhausted_window(now, is_read=is_read)):
            # Refuse before calling: a refused request still counts against the daily limit.
            raise RateLimited(next_window_end(now, window), window)
        headers = {"Authorization": f"Bearer {token.access_token}"} if token else {}
        response = await self._http.request(
            method, f"{self.config.api_base}{path}", params=params, data=data, headers=headers
        )
        observed = RateLimitState.from_headers(response.headers, now)
        if observed is not None:
            await self._rate_limits.put(self._rate_key, observed)
        if response.status_code == 429:
            window = (observed and observed.exhausted_window(now, is_read=is_read)) or WINDOW_15_MIN
            raise RateLimited(next_window_end(now, window), window, "Strava rate limit exceeded")
        if response.status_code == 401 and _is_missing_scope(response):
            raise AuthRevoked(
                "Strava token lacks the activity:read permission; the athlete must reconnect",
                status_code=401,
            )
        raise_for_common_status(response, f"Strava {method} {path}")
        return response

    async def list_activities(self, token: TokenSet, since: datetime) -> list[ActivityRef]:
        """Activities started after `since`, every page; order is not relied on."""
        refs: dict[str, ActivityRef] = {}
        page = 1
        while True:
            response = await self._request(
                "GET",
                "/athlete/activities",
                token=token,
                params={"after": int(since.timestamp()), "page": page, "per_page": PAGE_SIZE},
            )
            items = response.json()
            if not isinstance(items, list):
                raise ProviderError("Strava activity list is not a JSON array")
            for item in items:
                ref = ActivityRef(
                    provider="strava",
                    activity_id=str(item["id"]),
                    start=parse_strava_time(item["start_date"]) if item.get("start_date") else None,
                    sport_hint=strava_sport(item.get("sport_type"), item.get("type")),
                    summary=item,
                )
                refs[ref.activity_id] = ref
            if len(items) < PAGE_SIZE:
                return list(refs.values())
            page += 1

    async def fetch_activity(
        self, token: TokenSet, ref_or_id: ActivityRef | str
    ) -> FetchedActivity:
        activity_id = ref_or_id.activity_id if isinstance(ref_or_id, ActivityRef) else ref_or_id
        summary = (await self._request("GET", f"/activities/{activity_id}", token=token)).json()
        try:
            streams = (
                await self._request(
                    "GET",
                    f"/activities/{activity_id}/streams",
                    token=token,
                    params={"keys": ",".join(STREAM_KEYS), "key_by_type": "true"},
                )
            ).json()
        except NotFound:
            streams = None  # manual entries have no streams
        athlete = summary.get("athlete") or {}
        return FetchedActivity(
            provider="strava",
            activity_id=str(summary.get("id", activity_id)),
            provider_user_id=str(athlete["id"]) if "id" in athlete else token.provider_user_id,
            activities=[activity_from_strava(summary, streams)],
            raw_summary=summary,
            name=summary.get("name"),
            private=bool(summary.get("private")) or summary.get("visibility") == "only_me",
            external_id=summary.get("external_id"),
        )

    # ------------------------------------------------------------------ push subscriptions

    def _app_credentials(self) -> dict[str, str]:
        return {"client_id": self.config.client_id, "client_secret": self.config.client_secret}

    async def create_subscription(self, callback_url: str) -> dict[str, Any]:
        """Strava calls `callback_url` with the challenge before this returns."""
        if not self.config.webhook_verify_token:
            raise ProviderError("TRAINLYTICS_STRAVA_WEBHOOK_VERIFY_TOKEN is not set")
        response = await self._request(
            "POST",
            "/push_subscriptions",
            data={
                **self._app_credentials(),
                "callback_url": callback_url,
                "verify_token": self.config.webhook_verify_token,
            },
        )
        return json_object(response, "Strava subscription creation")

    async def list_subscriptions(self) -> list[dict[str, Any]]:
        response = await self._request("GET", "/push_subscriptions", params=self._app_credentials())
        return json_objects(response, "Strava subscription list")

    async def delete_subscription(self, subscription_id: str | int) -> None:
        await self._request(
            "DELETE", f"/push_subscriptions/{subscription_id}", params=self._app_credentials()
        )

    # ------------------------------------------------------------------ webhooks

    def subscription_challenge(self, query: Mapping[str, str]) -> dict[str, str]:
        """Answer Strava's GET validation, only for our verify token."""
        expected = self.config.webhook_verify_token
        given = query.get("hub.verify_token") or ""
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRejected(403, "wrong hub.verify_token")
        if query.get("hub.mode") != "subscribe" or not query.get("hub.challenge"):
            raise MalformedWebhook("subscription validation needs hub.mode and hub.challenge")
        return {"hub.challenge": query["hub.challenge"]}

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        """Strava signs nothing: an event is ours when it names our subscription id."""
        body = load_json_body(raw_body)
        if not isinstance(body, dict):
            raise MalformedWebhook("Strava event is not a JSON object")
        expected = self.config.subscription_id
        if not expected:
            raise WebhookRejected(403, "no Strava subscription id configured")
        if str(body.get("subscription_id")) != expected:
            raise WebhookRejected(403, "event for another subscription")

    def parse_webhook(self, raw_body: bytes) -> list[WebhookEvent]:
        body = load_json_body(raw_body)
        try:
            object_type = body["object_type"]
            object_id = provider_id(body["object_id"], "Strava object_id")
            aspect = body["aspect_type"]
            owner = provider_id(body["owner_id"], "Strava owner_id")
        except (KeyError, TypeError) as exc:
            raise MalformedWebhook(f"Strava event misses {exc}") from exc
        updates = body.get("updates") or {}
        key = event_key(
            "strava",
            body.get("subscription_id"),
            object_type,
            object_id,
            aspect,
            body.get("event_time"),
            record=updates,
        )
        if object_type == "athlete":
            # `authorized` is the string "false", not a boolean. Other athlete updates
            # (profile changes) carry nothing Trainlytics keeps.
            if str(updates.get("authorized")).lower() != "false":
                return []
            return [WebhookEvent("strava", key, "deauthorize", owner, None, updates, None, body)]
        if object_type != "activity" or aspect not in ("create", "update", "delete"):
            raise MalformedWebhook(f"unknown Strava event {object_type}/{aspect}")
        ref = ActivityRef("strava", object_id) if aspect != "delete" else None
        return [WebhookEvent("strava", key, aspect, owner, object_id, updates, ref, body)]


def _is_missing_scope(response: httpx.Response) -> bool:
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(e.get("code") == "missing" and "permission" in str(e.get("field")) for e in errors)
