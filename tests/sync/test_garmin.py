from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core.activities.parsed import Sport
from core.sync.providers.base import (
    AuthRevoked,
    MalformedWebhook,
    ProviderConfig,
    ProviderError,
    ProviderUnavailable,
    WebhookRejected,
)
from core.sync.providers.garmin import GarminProvider
from tests.fakes.providers.garmin import FakeGarmin
from tests.sync.conftest import fixture_bytes

REDIRECT = "https://trainlytics.test/oauth/garmin/callback"
VERIFIER = "v" * 64
RIDE_FIT = "cycling_power_indoor_trainer.fit"


@pytest.fixture
async def fake() -> AsyncIterator[FakeGarmin]:
    async with FakeGarmin() as server:
        yield server


@pytest.fixture
def garmin(fake: FakeGarmin, http: httpx.AsyncClient) -> GarminProvider:
    return GarminProvider(
        ProviderConfig(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            api_base=fake.api_base,
            oauth_base=fake.oauth_base,
            token_url=fake.token_url,
            redirect_uri=REDIRECT,
        ),
        http,
    )


async def connect(fake: FakeGarmin, garmin: GarminProvider, **kwargs):
    user = fake.add_user(**kwargs)
    challenge = parse_qs(urlsplit(garmin.authorize_url("st", VERIFIER)).query)["code_challenge"][0]
    return user, await garmin.exchange_code(fake.authorize(user, challenge, REDIRECT), VERIFIER)


def test_authorize_url_carries_the_s256_challenge(garmin: GarminProvider):
    query = {
        k: v[0] for k, v in parse_qs(urlsplit(garmin.authorize_url("st", VERIFIER)).query).items()
    }
    expected = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest())
    assert query["code_challenge"] == expected.rstrip(b"=").decode()
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == REDIRECT and query["state"] == "st"
    with pytest.raises(ProviderError):
        garmin.authorize_url("st")


async def test_exchange_needs_the_matching_verifier(fake: FakeGarmin, garmin: GarminProvider):
    user, token = await connect(fake, garmin)
    assert token.provider_user_id == user
    assert "HISTORICAL_DATA_EXPORT" in token.scopes
    challenge = parse_qs(urlsplit(garmin.authorize_url("s", VERIFIER)).query)["code_challenge"][0]
    code = fake.authorize(user, challenge, REDIRECT)
    with pytest.raises(ProviderError, match="PKCE"):
        await garmin.exchange_code(code, "w" * 64)


async def test_refresh_rotates_and_the_old_refresh_token_is_dead(
    fake: FakeGarmin, garmin: GarminProvider
):
    _, token = await connect(fake, garmin)
    refreshed = await garmin.refresh(token)
    assert refreshed.refresh_token != token.refresh_token
    assert refreshed.provider_user_id == token.provider_user_id
    with pytest.raises(AuthRevoked):
        await garmin.refresh(token)


async def test_list_pulls_24h_windows_and_fetch_downloads_the_fit_once(
    fake: FakeGarmin, http: httpx.AsyncClient
):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    provider = GarminProvider(
        ProviderConfig(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            api_base=fake.api_base,
            oauth_base=fake.oauth_base,
            token_url=fake.token_url,
            redirect_uri=REDIRECT,
        ),
        http,
        clock=lambda: now,
    )
    user, token = await connect(fake, provider)
    fake.add_activity(
        user,
        fixture_bytes(RIDE_FIT),
        start=now - timedelta(days=2),
        activity_type="VIRTUAL_RIDE",
        uploaded=now - timedelta(days=2),
    )
    fake.add_activity(
        user,
        fixture_bytes(RIDE_FIT),
        start=now - timedelta(days=9),
        uploaded=now - timedelta(days=9),
    )
    refs = await provider.list_activities(token, since=now - timedelta(days=3))
    assert len(refs) == 1 and refs[0].sport_hint is Sport.VIRTUAL_RIDE
    windows = fake.calls_to("/wellness-api/rest/activityFiles")
    assert len(windows) == 3
    assert all(
        int(c.query["uploadEndTimeInSeconds"]) - int(c.query["uploadStartTimeInSeconds"]) <= 86_400
        for c in windows
    )
    fetched = await provider.fetch_activity(token, refs[0])
    [parsed] = fetched.activities
    assert parsed.sport is Sport.VIRTUAL_RIDE
    assert parsed.streams is not None and parsed.streams.power is not None
    with pytest.raises(ProviderError):  # the file URL is single-use
        await provider.fetch_activity(token, refs[0])


async def test_backfill_accepts_once_and_needs_the_permission(
    fake: FakeGarmin, garmin: GarminProvider
):
    _, token = await connect(fake, garmin)
    end = datetime(2026, 11, 28, tzinfo=UTC)
    assert await garmin.request_backfill(token, end - timedelta(days=45), end) == 2
    assert await garmin.request_backfill(token, end - timedelta(days=45), end) == 0  # 409s
    _, limited = await connect(fake, garmin, permissions=("ACTIVITY_EXPORT",))
    with pytest.raises(ProviderError, match="HISTORICAL_DATA_EXPORT"):
        await garmin.request_backfill(limited, end - timedelta(days=5), end)


async def test_5xx_and_deregistration(fake: FakeGarmin, garmin: GarminProvider):
    _, token = await connect(fake, garmin)
    fake.fail_next("/wellness-api/rest/user/permissions", 500)
    with pytest.raises(ProviderUnavailable):
        await garmin.permissions(token)
    await garmin.deauthorize(token)
    with pytest.raises(AuthRevoked):
        await garmin.refresh(token)


async def test_notifications_need_our_client_id_and_parse_to_events(
    fake: FakeGarmin, garmin: GarminProvider
):
    user = fake.add_user()
    record = fake.add_activity(
        user,
        fixture_bytes(RIDE_FIT),
        start=datetime(2026, 11, 27, tzinfo=UTC),
        activity_type="ROAD_BIKING",
    )
    body = json.dumps(fake.activity_files_notification(record)).encode()
    garmin.verify_webhook({"Garmin-Client-Id": "garmin-client"}, body, {})
    with pytest.raises(WebhookRejected):
        garmin.verify_webhook({"garmin-client-id": "someone-else"}, body, {})
    with pytest.raises(WebhookRejected):
        garmin.verify_webhook({}, body, {})
    [created] = garmin.parse_webhook(body)
    assert created.kind == "create" and created.provider_user_id == user
    assert created.activity_ref is not None, "a create event points at the activity"
    assert created.activity_ref.download_url == record["callbackURL"]
    assert created.activity_ref.sport_hint is Sport.RIDE
    assert garmin.parse_webhook(body)[0].event_key == created.event_key
    [gone] = garmin.parse_webhook(json.dumps(fake.deregistration_notification(user)).encode())
    [perms] = garmin.parse_webhook(
        json.dumps(fake.permissions_notification(user, ["ACTIVITY_EXPORT"])).encode()
    )
    assert gone.kind == "deauthorize" and perms.kind == "permissions"
    assert perms.updates["permissions"] == ["ACTIVITY_EXPORT"]
    window = "uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2"
    ping_url = f"{fake.api_base}/wellness-api/rest/activities?{window}"
    ping = {"activities": [{"userId": user, "callbackURL": ping_url}]}
    [pinged] = garmin.parse_webhook(json.dumps(ping).encode())
    assert pinged.kind == "ping" and pinged.updates["callback_url"] == ping_url
    # Records that fail validation are dropped, the rest of the notification is kept.
    elsewhere = [
        "https://x/wellness-api/rest/activities",  # another host
        f"{fake.api_base}/wellness-api/rest/user/registration",  # not a pull endpoint
        f"{fake.api_base}/wellness-api/rest/activityFiles",  # not this summary type's
        ping_url.replace("http://", "http://user:pw@"),
    ]
    forged = {"activities": [{"userId": user, "callbackURL": url} for url in elsewhere]}
    forged["activities"] += [{"summaryId": "1"}, {"userId": user, "summaryId": "../user/id"}]
    assert garmin.parse_webhook(json.dumps(forged).encode()) == []
    with pytest.raises(MalformedWebhook):
        garmin.parse_webhook(b'{"activities": {"summaryId": "1"}}')
