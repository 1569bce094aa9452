"""COROS Open API connector.

COROS is non-standard enough that authlib does not fit past the authorize URL: every
answer is HTTP 200 with a `result` code inside ("0000" = OK, 5006 = token invalid,
5016 = try later), the refresh endpoint (`refresh-token`) usually answers only
`{"result":"0000"}` to extend the current access token, and data calls take the token
in the query string. Token and data calls are therefore made by hand on the shared client.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from core.sync.fit import activities_from_fit
from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    FetchedActivity,
    MalformedWebhook,
    ProviderConfig,
    ProviderError,
    ProviderName,
    ProviderUnavailable,
    TokenExpired,
    TokenSet,
    WebhookEvent,
    WebhookRejected,
    event_key,
    header,
    load_json_body,
    provider_id,
    raise_for_common_status,
    utc_from_epoch,
)
from core.sync.providers.oauth import oauth_client, token_set_from
from core.sync.sports import coros_sport

OK = "0000"
TOKEN_INVALID = "5006"
TRY_LATER = "5016"
ACCESS_LIFETIME = timedelta(days=30)
LIST_RANGE = timedelta(days=30)
# What COROS expects back from our webhook endpoint.
WEBHOOK_ACK = {"result": OK, "message": "ok"}


class CorosProvider:
    name: ProviderName = "coros"

    def __init__(
        self,
        config: ProviderConfig,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._http = http
        self._clock = clock

    def authorize_url(self, state: str, code_verifier: str | None = None) -> str:
        url, _ = oauth_client(self._http, self.config).create_authorization_url(
            f"{self.config.oauth_base}/authorize", state=state
        )
        return url

    async def _envelope(self, response: httpx.Response, what: str) -> dict[str, Any]:
        raise_for_common_status(response, what)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(f"{what}: answer is not JSON") from exc
        if not isinstance(body, dict):
            raise ProviderError(f"{what}: answer is not a JSON object")
        result = str(body.get("result", OK))
        if result == TOKEN_INVALID:
            raise TokenExpired(f"{what}: COROS says the token is invalid ({result})")
        if result == TRY_LATER:
            raise ProviderUnavailable(60.0, f"{what}: COROS asks to retry later ({result})")
        if result != OK:
            raise ProviderError(f"{what}: COROS result {result}: {body.get('message')}")
        return body

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> TokenSet:
        response = await self._http.post(
            f"{self.config.oauth_base}/accesstoken",
            data={
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": self.config.redirect_uri,
            },
        )
        body = await self._envelope(response, "COROS code exchange")
        if not body.get("openId"):
            raise ProviderError("COROS token response without openId")
        return token_set_from(body, provider_user_id=str(body["openId"]), now=self._clock())

    async def refresh(self, token: TokenSet) -> TokenSet:
        if not token.refresh_token:
            raise AuthRevoked("COROS token has no refresh token")
        response = await self._http.post(
            f"{self.config.oauth_base}/refresh-token",
            data={
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": token.refresh_token,
            },
        )
        try:
            body = await self._envelope(response, "COROS refresh")
        except ProviderUnavailable:
            raise
        except ProviderError as exc:  # token invalid or any other refusal
            raise AuthRevoked(f"COROS refused the refresh: {exc}") from exc
        if "access_token" in body:
            return token_set_from(body, previous=token, now=self._clock())
        # The usual answer: the current access token now lives another 30 days.
        return TokenSet(
            token.access_token,
            token.refresh_token,
            self._clock() + ACCESS_LIFETIME,
            token.scopes,
            token.provider_user_id,
            token.raw,
        )

    async def deauthorize(self, token: TokenSet) -> None:
        response = await self._http.post(
            f"{self.config.oauth_base}/deauthorize", params={"token": token.access_token}
        )
        try:
            await self._envelope(response, "COROS deauthorize")
        except TokenExpired:
            return  # already revoked

    async def check_access(self, token: TokenSet) -> None:
        """COROS sends no revocation webhook; today's workout list fails (5006) once gone."""
        today = self._clock().astimezone(UTC).strftime("%Y%m%d")
        response = await self._http.get(
            f"{self.config.api_base}/v2/coros/sport/list",
            params=self._query(token, startDate=today, endDate=today),
        )
        await self._envelope(response, "COROS access check")

    def _query(self, token: TokenSet, **extra: Any) -> dict[str, Any]:
        return {"token": token.access_token, "openId": token.provider_user_id, **extra}

    async def list_activities(self, token: TokenSet, since: datetime) -> list[ActivityRef]:
        """Workouts from `since` to today, in the ≤30-day date ranges COROS accepts."""
        refs: dict[str, ActivityRef] = {}
        start, today = since.astimezone(UTC).date(), self._clock().astimezone(UTC).date()
        while start <= today:
            end = min(start + LIST_RANGE - timedelta(days=1), today)
            response = await self._http.get(
                f"{self.config.api_base}/v2/coros/sport/list",
                params=self._query(
                    token, startDate=start.strftime("%Y%m%d"), endDate=end.strftime("%Y%m%d")
                ),
            )
            for workout in (await self._envelope(response, "COROS sport list")).get("data") or []:
                ref = _ref(workout)
                if ref.start is None or ref.start >= since:
                    refs[ref.activity_id] = ref
            start = end + timedelta(days=1)
        return list(refs.values())

    async def fetch_activity(
        self, token: TokenSet, ref_or_id: ActivityRef | str
    ) -> FetchedActivity:
        if not isinstance(ref_or_id, ActivityRef) or ref_or_id.summary is None:
            raise ProviderError("COROS workouts are fetched from a list or push record")
        ref = ref_or_id
        summary = dict(ref.summary or {})
        legs = summary.get("triathlonItemList") or [summary]
        activities = []
        for index, leg in enumerate(legs):
            data = await self._download_fit(token, summary, leg)
            activities += activities_from_fit(
                data, f"{ref.activity_id}-{index}.fit", "coros", coros_sport(leg.get("mode"))
            )
        return FetchedActivity(
            provider="coros",
            activity_id=ref.activity_id,
            provider_user_id=str(summary.get("openId") or token.provider_user_id),
            activities=activities,
            raw_summary=summary,
        )

    async def _download_fit(
        self, token: TokenSet, workout: Mapping[str, Any], leg: Mapping[str, Any]
    ) -> bytes:
        url = leg.get("fitUrl")
        if url:
            response = await self._http.get(url)  # signed storage URL: no auth header
            if response.status_code not in (403, 404):
                raise_for_common_status(response, "COROS FIT download")
                return response.content
        # The signed URL expired: ask COROS for a fresh one.
        detail = await self._http.get(
            f"{self.config.api_base}/v2/coros/sport/detail/fit",
            params=self._query(
                token,
                labelId=workout.get("labelId"),
                mode=leg.get("mode"),
                subMode=leg.get("subMode"),
            ),
        )
        fresh = ((await self._envelope(detail, "COROS FIT link")).get("data") or {}).get("fitUrl")
        if not fresh:
            raise ProviderError("COROS gave no FIT link for this workout")
        response = await self._http.get(fresh)
        raise_for_common_status(response, "COROS FIT download")
        return response.content

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        """COROS sends our own client id and secret as `client` / `secret` headers.

        Its status probes come without them and without data; they may pass (and
        `parse_webhook` yields nothing for them) so COROS sees the endpoint alive.
        """
        client, secret = header(headers, "client"), header(headers, "secret")
        if client is None and secret is None and not _has_workouts(raw_body):
            return
        if not (
            hmac.compare_digest((client or "").encode(), self.config.client_id.encode())
            and hmac.compare_digest((secret or "").encode(), self.config.client_secret.encode())
            and self.config.client_id
        ):
            raise WebhookRejected(401, "COROS client/secret headers missing or wrong")

    def parse_webhook(self, raw_body: bytes) -> list[WebhookEvent]:
        if not raw_body.strip():
            return []
        body = load_json_body(raw_body)
        if not isinstance(body, dict):
            raise MalformedWebhook("COROS push is not a JSON object")
        events = []
        for workout in body.get("sportDataList") or []:
            if not isinstance(workout, dict) or not workout.get("labelId"):
                raise MalformedWebhook("COROS workout without labelId")
            workout = _without_file_urls(workout)
            ref = _ref(workout)
            user = provider_id(workout["openId"], "COROS openId") if workout.get("openId") else None
            key = event_key("coros", user, ref.activity_id, record=workout)
            events.append(
                WebhookEvent("coros", key, "create", user, ref.activity_id, {}, ref, workout)
            )
        return events


def _has_workouts(raw_body: bytes) -> bool:
    try:
        body = load_json_body(raw_body) if raw_body.strip() else {}
    except MalformedWebhook:
        return True  # unreadable bodies must authenticate before we say more
    return bool(isinstance(body, dict) and body.get("sportDataList")) or not isinstance(body, dict)


def _without_file_urls(workout: dict[str, Any]) -> dict[str, Any]:
    """A pushed workout minus its `fitUrl`s: the FIT link is asked of the API base instead
    (`_download_fit`), so no URL a push names is ever fetched."""
    clean = {k: v for k, v in workout.items() if k != "fitUrl"}
    legs = workout.get("triathlonItemList")
    if isinstance(legs, list):
        clean["triathlonItemList"] = [
            {k: v for k, v in leg.items() if k != "fitUrl"} for leg in legs if isinstance(leg, dict)
        ]
    return clean


def _ref(workout: Mapping[str, Any]) -> ActivityRef:
    return ActivityRef(
        provider="coros",
        activity_id=provider_id(workout["labelId"], "COROS labelId"),
        start=utc_from_epoch(workout.get("startTime")),
        sport_hint=coros_sport(workout.get("mode")),
        download_url=workout.get("fitUrl"),
        summary=dict(workout),
    )
