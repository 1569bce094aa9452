"""Polar AccessLink v3 connector.

Polar's OAuth differs from the usual: the token endpoint wants the client credentials as
HTTP Basic (authlib's `client_secret_basic`), issues no refresh token (the access token
lives for years; a 401 means the user must reconnect) and the user must be registered
with `POST /users` before any data is offered, so `exchange_code` registers at once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from core.sync.fit import activities_from_fit
from core.sync.providers.authlib_client import AsyncOAuth2Client
from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    FetchedActivity,
    MalformedWebhook,
    ProviderConfig,
    ProviderError,
    ProviderName,
    TokenSet,
    WebhookEvent,
    WebhookRejected,
    event_key,
    header,
    json_object,
    load_json_body,
    provider_id,
    raise_for_common_status,
)
from core.sync.providers.oauth import oauth_client, token_set_from
from core.sync.sports import polar_sport

DEFAULT_TOKEN_URL = "https://polarremote.com/v2/oauth2/token"
SCOPE = "accesslink.read_all"
SIGNATURE_HEADER = "Polar-Webhook-Signature"


class PolarProvider:
    name: ProviderName = "polar"

    def __init__(self, config: ProviderConfig, http: httpx.AsyncClient) -> None:
        self.config = config
        self._http = http

    @property
    def _token_url(self) -> str:
        return self.config.token_url or DEFAULT_TOKEN_URL

    def _oauth(self) -> AsyncOAuth2Client:
        return oauth_client(
            self._http, self.config, token_endpoint_auth_method="client_secret_basic"
        )

    def authorize_url(self, state: str, code_verifier: str | None = None) -> str:
        url, _ = self._oauth().create_authorization_url(
            f"{self.config.oauth_base}/authorization", state=state, scope=SCOPE
        )
        return url

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> TokenSet:
        async with self._oauth() as client:
            payload = await client.fetch_token(
                self._token_url,
                code=code,
                grant_type="authorization_code",
                headers={
                    "Accept": "application/json",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
        if not payload.get("x_user_id"):
            raise ProviderError("Polar token response without x_user_id")
        token = token_set_from(dict(payload), provider_user_id=str(payload["x_user_id"]))
        await self.register_user(token, member_id=f"trainlytics-{token.provider_user_id}")
        return token

    async def register_user(self, token: TokenSet, member_id: str) -> None:
        """Polar offers only data uploaded after registration; 409 = already registered."""
        response = await self._call("POST", "/users", token, json={"member-id": member_id})
        if response.status_code == 409:
            return
        _raise(response, "Polar user registration")

    async def refresh(self, token: TokenSet) -> TokenSet:
        raise AuthRevoked("Polar issues no refresh token; the user must connect Polar again")

    async def deauthorize(self, token: TokenSet) -> None:
        response = await self._call("DELETE", f"/users/{token.provider_user_id}", token)
        if response.status_code in (401, 404):
            return  # already gone
        _raise(response, "Polar deregistration")

    async def check_access(self, token: TokenSet) -> None:
        """Polar sends no revocation webhook; its user record answers 401/403 once gone."""
        response = await self._call("GET", f"/users/{token.provider_user_id}", token)
        _raise(response, "Polar user")

    async def _call(
        self,
        method: str,
        path: str,
        token: TokenSet,
        accept: str = "application/json",
        **kwargs: Any,
    ) -> httpx.Response:
        return await self._http.request(
            method,
            f"{self.config.api_base}{path}",
            headers={"Authorization": f"Bearer {token.access_token}", "Accept": accept},
            **kwargs,
        )

    async def list_activities(self, token: TokenSet, since: datetime) -> list[ActivityRef]:
        """Polar lists the last 30 days, unpaged; filtering by start happens here."""
        response = await self._call("GET", "/exercises", token)
        if response.status_code == 204:
            return []
        _raise(response, "Polar exercise list")
        refs = []
        for exercise in response.json():
            start = polar_start(exercise)
            if start is not None and start < since:
                continue
            refs.append(
                ActivityRef(
                    provider="polar",
                    activity_id=str(exercise["id"]),
                    start=start,
                    updated=_parse_utc(exercise.get("upload_time")),
                    sport_hint=polar_sport(
                        exercise.get("detailed_sport_info"), exercise.get("sport")
                    ),
                    summary=exercise,
                )
            )
        return refs

    async def fetch_activity(
        self, token: TokenSet, ref_or_id: ActivityRef | str
    ) -> FetchedActivity:
        exercise_id = ref_or_id.activity_id if isinstance(ref_or_id, ActivityRef) else ref_or_id
        response = await self._call("GET", f"/exercises/{exercise_id}", token)
        _raise(response, "Polar exercise")
        summary = response.json()
        fit = await self._call("GET", f"/exercises/{exercise_id}/fit", token, accept="*/*")
        _raise(fit, "Polar FIT download")
        hint = polar_sport(summary.get("detailed_sport_info"), summary.get("sport"))
        return FetchedActivity(
            provider="polar",
            activity_id=str(exercise_id),
            provider_user_id=token.provider_user_id,
            activities=activities_from_fit(fit.content, f"{exercise_id}.fit", "polar", hint),
            raw_summary=summary,
            name=_readable(summary.get("detailed_sport_info") or summary.get("sport")),
        )

    async def create_webhook(
        self, url: str, events: tuple[str, ...] = ("EXERCISE",)
    ) -> dict[str, Any]:
        """Returns Polar's `data`, whose `signature_secret_key` is shown only this once."""
        response = await self._http.post(
            f"{self.config.api_base}/webhooks",
            json={"events": list(events), "url": url},
            auth=(self.config.client_id, self.config.client_secret),
            headers={"Accept": "application/json"},
        )
        if response.status_code == 409:
            raise ProviderError("a Polar webhook already exists for this client", status_code=409)
        _raise(response, "Polar webhook creation")
        data = json_object(response, "Polar webhook creation").get("data")
        if not isinstance(data, dict):
            raise ProviderError("Polar webhook creation: answer has no data object")
        return data

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        signature = header(headers, SIGNATURE_HEADER)
        if signature is None:
            # Sources disagree on whether Polar signs the PING sent at webhook creation;
            # an unsigned PING carries no data, so it may pass.
            body = load_json_body(raw_body)
            if isinstance(body, dict) and body.get("event") == "PING":
                return
            raise WebhookRejected(401, "missing Polar-Webhook-Signature")
        secret = self.config.webhook_secret
        if not secret:
            raise WebhookRejected(403, "no Polar webhook secret configured")
        expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise WebhookRejected(401, "Polar webhook signature does not match the body")

    def parse_webhook(self, raw_body: bytes) -> list[WebhookEvent]:
        body = load_json_body(raw_body)
        if not isinstance(body, dict) or "event" not in body:
            raise MalformedWebhook("Polar webhook without an event")
        kind = body["event"]
        user = (
            provider_id(body["user_id"], "Polar user_id")
            if body.get("user_id") is not None
            else None
        )
        if kind == "PING":
            return [
                WebhookEvent(
                    "polar",
                    event_key("polar", "PING", body.get("timestamp")),
                    "ping",
                    None,
                    raw=body,
                )
            ]
        if kind != "EXERCISE":
            return []  # sleep, daily activity and the like are not training sessions
        if not body.get("entity_id") or user is None:
            raise MalformedWebhook("Polar EXERCISE event without entity_id or user_id")
        entity = provider_id(body["entity_id"], "Polar entity_id")
        # The event's `url` is never followed: the exercise is fetched by id from the
        # configured API base, whatever host a payload names.
        ref = ActivityRef("polar", entity)
        key = event_key("polar", "EXERCISE", user, entity, body.get("timestamp"))
        return [WebhookEvent("polar", key, "create", user, entity, {}, ref, body)]


def _raise(response: httpx.Response, what: str) -> None:
    if response.status_code == 403:
        raise AuthRevoked(
            f"{what}: the user has not accepted Polar's mandatory consents", status_code=403
        )
    raise_for_common_status(response, what)


def polar_start(exercise: Mapping[str, Any]) -> datetime | None:
    """`start_time` is local wall time; `start_time_utc_offset` (minutes) makes it UTC."""
    value = exercise.get("start_time")
    if not value:
        return None
    local = datetime.fromisoformat(value)
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    offset = timedelta(minutes=float(exercise.get("start_time_utc_offset") or 0))
    return (local - offset).replace(tzinfo=UTC)


def _parse_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _readable(label: str | None) -> str | None:
    """Polar has no activity titles, only sport codes: "ROAD_RUNNING" → "Road running"."""
    return label.replace("_", " ").capitalize() if label else None
