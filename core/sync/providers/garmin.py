"""Garmin Connect Activity API connector (OAuth 2.0 with PKCE, activity files, backfill).

Garmin is push-first: it notifies our webhook with activity summaries, or pings with a
`callbackURL` to pull. Activity files arrive as single-use `activityFiles` URLs, so a
Garmin activity is fetched from an `ActivityRef` carrying that URL (from a webhook event
or `list_activities`), never by id alone. History comes through `request_backfill`,
which Garmin answers later through the same webhook.

Notifications are authenticated by nothing secret (the client id is public), so they are
hints: URLs are followed only on the configured API host and Garmin's data endpoints
(`trusted_url`, checked again in `_get`), and a pushed summary is stored only as Garmin
lists it (`_confirmed_summary`).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from core.activities.parsed import ParsedActivity
from core.sync.fit import activities_from_fit
from core.sync.providers.authlib_client import AsyncOAuth2Client
from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    EventKind,
    FetchedActivity,
    MalformedWebhook,
    ProviderConfig,
    ProviderError,
    ProviderName,
    TokenSet,
    UntrustedEvent,
    WebhookEvent,
    WebhookRejected,
    event_key,
    header,
    load_json_body,
    provider_id,
    raise_for_common_status,
    trusted_url,
    utc_from_epoch,
)
from core.sync.providers.oauth import oauth_client, token_set_from
from core.sync.sports import garmin_sport

DEFAULT_TOKEN_URL = "https://diauth.garmin.com/di-oauth2-service/oauth/token"
REST = "/wellness-api/rest"
PULL_WINDOW = timedelta(seconds=86_400)  # Garmin refuses longer upload-time windows
BACKFILL_WINDOW = timedelta(days=30)
CLIENT_ID_HEADER = "garmin-client-id"
ACTIVITY_TYPES = ("activities", "activityFiles", "manuallyUpdatedActivities")
# The only URLs ever fetched with an athlete's token, on the configured API host: the pull
# endpoints a ping names and the single-use file download. `garmin-client-id` is public
# (every connect link carries it), so anything a notification says is a hint to check.
PULL_PATHS = frozenset(f"{REST}/{kind}" for kind in ACTIVITY_TYPES)
FILE_PATH = f"{REST}/activityFile"
# A pushed summary is looked up in the upload window ending just after its notification.
CONFIRM_SLACK = timedelta(minutes=1)
# `ActivityRef.pull_from` of a record Garmin itself listed (a pull answer): stored as is.
LISTED = "listed"

log = logging.getLogger(__name__)


class GarminProvider:
    name: ProviderName = "garmin"

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

    @property
    def _token_url(self) -> str:
        return self.config.token_url or DEFAULT_TOKEN_URL

    def _oauth(self) -> AsyncOAuth2Client:
        return oauth_client(self._http, self.config, code_challenge_method="S256")

    def authorize_url(self, state: str, code_verifier: str | None = None) -> str:
        """PKCE is mandatory: keep `code_verifier` with the state for the callback."""
        if not code_verifier:
            raise ProviderError("Garmin needs a PKCE code_verifier")
        url, _ = self._oauth().create_authorization_url(
            f"{self.config.oauth_base}/oauth2Confirm", state=state, code_verifier=code_verifier
        )
        return url

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> TokenSet:
        if not code_verifier:
            raise ProviderError("Garmin needs the PKCE code_verifier of the authorize step")
        async with self._oauth() as client:
            payload = await client.fetch_token(
                self._token_url,
                code=code,
                code_verifier=code_verifier,
                grant_type="authorization_code",
            )
        token = token_set_from(dict(payload), now=self._clock())
        response = await self._get(f"{REST}/user/id", token)
        token.provider_user_id = str(response.json()["userId"])
        return token

    async def refresh(self, token: TokenSet) -> TokenSet:
        """Every Garmin refresh issues a new refresh token: persist the pair."""
        if not token.refresh_token:
            raise AuthRevoked("Garmin token has no refresh token")
        async with self._oauth() as client:
            payload = await client.refresh_token(self._token_url, refresh_token=token.refresh_token)
        return token_set_from(dict(payload), previous=token, now=self._clock())

    async def deauthorize(self, token: TokenSet) -> None:
        response = await self._http.delete(
            f"{self.config.api_base}{REST}/user/registration", headers=_bearer(token)
        )
        if response.status_code in (401, 403):
            return  # already deregistered
        raise_for_common_status(response, "Garmin deregistration")

    async def permissions(self, token: TokenSet) -> list[str]:
        return list((await self._get(f"{REST}/user/permissions", token)).json())

    async def check_access(self, token: TokenSet) -> None:
        """Garmin's own word on a deregistration or permission change: its permission list."""
        if "ACTIVITY_EXPORT" not in await self.permissions(token):
            raise AuthRevoked("activity sharing is switched off at Garmin", status_code=403)

    async def _get(
        self, url_or_path: str, token: TokenSet, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        if "://" in url_or_path:  # the chokepoint: no token leaves for another host
            url = trusted_url(url_or_path, self.config.api_base, PULL_PATHS | {FILE_PATH})
        else:
            url = f"{self.config.api_base}{url_or_path}"
        response = await self._http.get(url, params=params, headers=_bearer(token))
        if response.status_code == 403:
            raise AuthRevoked(
                "Garmin refused: permission withdrawn or user deregistered", status_code=403
            )
        raise_for_common_status(response, f"Garmin GET {url.split('?')[0]}")
        return response

    async def pull(self, token: TokenSet, callback_url: str) -> list[ActivityRef]:
        """Follow a ping's `callbackURL`, only to one of Garmin's pull endpoints."""
        trusted_url(callback_url, self.config.api_base, PULL_PATHS)
        records = (await self._get(callback_url, token)).json()
        return [ref for record in records if (ref := _ref(record, listed=True)) is not None]

    async def _confirmed_summary(self, token: TokenSet, ref: ActivityRef) -> dict[str, Any]:
        """Garmin's own copy of a pushed summary, pulled from its listing; never the push."""
        end = (ref.updated or self._clock()) + CONFIRM_SLACK
        params = {
            "uploadStartTimeInSeconds": int((end - PULL_WINDOW).timestamp()),
            "uploadEndTimeInSeconds": int(end.timestamp()),
        }
        kind = ref.pull_from if ref.pull_from in ACTIVITY_TYPES else "activities"
        listed = (await self._get(f"{REST}/{kind}", token, params)).json()
        for record in listed if isinstance(listed, list) else []:
            if (
                isinstance(record, dict)
                and str(record.get("summaryId")) == ref.activity_id
                and str(record.get("userId")) == str(token.provider_user_id)
            ):
                return record
        raise UntrustedEvent(f"Garmin does not list the pushed summary {ref.activity_id}")

    async def list_activities(self, token: TokenSet, since: datetime) -> list[ActivityRef]:
        """Activity files uploaded since `since`, in the 24 h windows Garmin allows.

        Garmin's production rules expect pulls to follow a ping; use this for catch-up
        after an outage, and `request_backfill` for history.
        """
        refs: dict[str, ActivityRef] = {}
        start, now = since, self._clock()
        while start < now:
            end = min(start + PULL_WINDOW, now)
            params = {
                "uploadStartTimeInSeconds": int(start.timestamp()),
                "uploadEndTimeInSeconds": int(end.timestamp()),
            }
            for record in (await self._get(f"{REST}/activityFiles", token, params)).json():
                ref = _ref(record, listed=True)
                if ref is not None:
                    refs[ref.activity_id] = ref
            start = end
        return list(refs.values())

    async def request_backfill(self, token: TokenSet, start: datetime, end: datetime) -> int:
        """Ask Garmin to re-send activities started in [start, end); returns windows accepted.

        Garmin answers 202 and delivers later through the webhook; 409 means that range
        was already requested, which is fine.
        """
        accepted = 0
        while start < end:
            stop = min(start + BACKFILL_WINDOW, end)
            response = await self._http.get(
                f"{self.config.api_base}{REST}/backfill/activities",
                params={
                    "summaryStartTimeInSeconds": int(start.timestamp()),
                    "summaryEndTimeInSeconds": int(stop.timestamp()),
                },
                headers=_bearer(token),
            )
            if response.status_code == 403:
                raise ProviderError(
                    "Garmin backfill needs the HISTORICAL_DATA_EXPORT permission", status_code=403
                )
            if response.status_code != 409:
                raise_for_common_status(response, "Garmin backfill")
                accepted += 1
            start = stop
        return accepted

    async def fetch_activity(
        self, token: TokenSet, ref_or_id: ActivityRef | str
    ) -> FetchedActivity:
        if not isinstance(ref_or_id, ActivityRef):
            raise ProviderError(
                "Garmin activities are fetched from a notification's file URL, not by id"
            )
        ref = ref_or_id
        summary = dict(ref.summary or {})
        if ref.download_url:
            data = (await self._get(ref.download_url, token)).content
            activities = activities_from_fit(
                data, f"{ref.activity_id}.fit", "garmin", ref.sport_hint
            )
        elif summary and ref.pull_from == LISTED:  # a record of Garmin's own pull answer
            activities = [_from_summary(summary)]
        elif summary:
            # Pushed (or stored by an older version without a mark): only Garmin's copy.
            summary = await self._confirmed_summary(token, ref)
            activities = [_from_summary(summary)]
        else:
            raise ProviderError("Garmin reference carries neither a file URL nor a summary")
        return FetchedActivity(
            provider="garmin",
            activity_id=ref.activity_id,
            provider_user_id=str(summary.get("userId") or token.provider_user_id),
            activities=activities,
            raw_summary=summary,
            name=summary.get("activityName"),
        )

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        """Garmin signs nothing; its `garmin-client-id` header must be our client id."""
        given = header(headers, CLIENT_ID_HEADER) or ""
        expected = self.config.client_id
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRejected(401, "garmin-client-id header missing or not ours")

    def parse_webhook(self, raw_body: bytes) -> list[WebhookEvent]:
        """The notification's records as events; a record that fails validation (a URL off
        Garmin's API host, an id of the wrong shape) is dropped and logged."""
        body = load_json_body(raw_body)
        if not isinstance(body, dict):
            raise MalformedWebhook("Garmin notification is not a JSON object")
        events: list[WebhookEvent] = []
        notified = self._clock()
        for summary_type, records in body.items():
            if not isinstance(records, list):
                raise MalformedWebhook(f"Garmin {summary_type} is not a list")
            for record in records:
                try:
                    event = self._event(summary_type, record, notified)
                except (UntrustedEvent, MalformedWebhook) as exc:
                    log.warning("Garmin %s record dropped: %s", summary_type, exc)
                    continue
                if event is not None:
                    events.append(event)
        return events

    def _event(self, summary_type: str, record: object, notified: datetime) -> WebhookEvent | None:
        if not isinstance(record, dict) or not record.get("userId"):
            raise MalformedWebhook(f"Garmin {summary_type} record without userId")
        user = provider_id(record["userId"], "Garmin userId")
        key = event_key("garmin", summary_type, user, record=record)
        if summary_type == "deregistrations":
            return WebhookEvent("garmin", key, "deauthorize", user, raw=record)
        if summary_type == "userPermissionsChange":
            return WebhookEvent(
                "garmin",
                key,
                "permissions",
                user,
                updates={"permissions": list(record.get("permissions") or [])},
                raw=record,
            )
        if summary_type not in ACTIVITY_TYPES:
            return None  # health summaries are not training sessions
        callback = record.get("callbackURL")
        if callback and not record.get("fileType"):
            # Ping mode: the data waits at Garmin's pull endpoint of this summary type.
            trusted_url(str(callback), self.config.api_base, {f"{REST}/{summary_type}"})
            return WebhookEvent(
                "garmin",
                key,
                "ping",
                user,
                updates={"callback_url": callback, "summary_type": summary_type},
                raw=record,
            )
        if callback:
            trusted_url(str(callback), self.config.api_base, {FILE_PATH})
        ref = _ref(record)
        if ref is None:
            raise MalformedWebhook(f"Garmin {summary_type} record without summaryId")
        if ref.download_url is None:
            # A pushed summary: only Garmin's own listing of it will be stored.
            ref = replace(ref, pull_from=summary_type, updated=notified)
        kind: EventKind = "update" if summary_type == "manuallyUpdatedActivities" else "create"
        return WebhookEvent("garmin", key, kind, user, ref.activity_id, {}, ref, record)


def _bearer(token: TokenSet) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.access_token}"}


def _ref(record: Mapping[str, Any], *, listed: bool = False) -> ActivityRef | None:
    """`listed`: the record is Garmin's answer to our own pull, not a notification's."""
    activity_id = record.get("summaryId") or record.get("activityId")
    if activity_id is None:
        return None
    return ActivityRef(
        provider="garmin",
        activity_id=provider_id(activity_id, "Garmin summaryId"),
        start=utc_from_epoch(record.get("startTimeInSeconds")),
        sport_hint=garmin_sport(record.get("activityType")),
        # activityFiles records carry a download URL; summary records carry the data.
        download_url=record.get("callbackURL") if record.get("fileType") else None,
        summary=dict(record),
        pull_from=LISTED if listed else None,
    )


def _from_summary(summary: Mapping[str, Any]) -> ParsedActivity:
    """A push summary without a file: totals only, no streams."""
    start = utc_from_epoch(summary.get("startTimeInSeconds"))
    duration = summary.get("durationInSeconds")
    if start is None or duration is None:
        raise ProviderError("Garmin summary without start or duration")

    def number(key: str) -> float | None:
        value = summary.get(key)
        return float(value) if isinstance(value, int | float) else None

    return ParsedActivity(
        sport=garmin_sport(summary.get("activityType")),
        start=start,
        elapsed_s=float(duration),
        moving_s=float(duration),  # Garmin summaries carry no moving time
        source_format="garmin",
        sub_sport=summary.get("activityType"),
        name=summary.get("activityName"),
        distance_m=number("distanceInMeters"),
        elevation_gain_m=number("totalElevationGainInMeters"),
        elevation_loss_m=number("totalElevationLossInMeters"),
        avg_hr=number("averageHeartRateInBeatsPerMinute"),
        max_hr=number("maxHeartRateInBeatsPerMinute"),
        avg_cadence=number("averageRunCadenceInStepsPerMinute")
        or number("averageBikeCadenceInRoundsPerMinute"),
        avg_speed=number("averageSpeedInMetersPerSecond"),
        max_speed=number("maxSpeedInMetersPerSecond"),
        calories=number("activeKilocalories"),
    )
