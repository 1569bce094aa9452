from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core.activities.parsed import Sport
from core.sync.providers.base import (
    AuthRevoked,
    MalformedWebhook,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TokenExpired,
    WebhookRejected,
)
from core.sync.providers.strava import StravaProvider
from core.sync.ratelimit import InMemoryRateLimitStore
from core.sync.tokens import call_with_fresh_token
from tests.fakes.providers.strava import FakeStrava, Limits
from tests.sync.conftest import NOW

START = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)


async def connect(fake: FakeStrava, strava: StravaProvider, **athlete_kwargs):
    athlete = fake.add_athlete(**athlete_kwargs)
    code = fake.authorize(athlete, ("read", "activity:read_all"))
    return athlete, await strava.exchange_code(code)


def test_authorize_url_asks_for_activity_scopes_and_carries_state(strava: StravaProvider):
    url = strava.authorize_url(state="st-1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path.endswith("/oauth/authorize")
    assert query["client_id"] == "1234"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "https://trainlytics.test/oauth/strava/callback"
    assert query["scope"] == "read,activity:read_all"
    assert query["state"] == "st-1"
    assert query["approval_prompt"] == "auto"


async def test_fake_authorize_redirects_with_the_scopes_the_athlete_granted(
    fake_strava: FakeStrava, strava: StravaProvider, http: httpx.AsyncClient
):
    fake_strava.add_athlete(granted_scopes=("read", "activity:read"))
    response = await http.get(strava.authorize_url(state="s"))
    redirect = parse_qs(urlsplit(response.headers["location"]).query)
    assert response.status_code == 302
    assert redirect["scope"] == ["read"]  # activity:read_all was unticked
    token = await strava.exchange_code(redirect["code"][0])
    assert token.access_token


async def test_code_exchange_returns_tokens_athlete_and_expiry(
    fake_strava: FakeStrava, strava: StravaProvider
):
    athlete, token = await connect(fake_strava, strava)
    assert token.provider_user_id == str(athlete)
    assert token.refresh_token
    assert token.expires_at is not None
    assert timedelta(hours=5) < token.expires_at - datetime.now(UTC) <= timedelta(hours=6)


async def test_a_code_works_once(fake_strava: FakeStrava, strava: StravaProvider):
    athlete = fake_strava.add_athlete()
    code = fake_strava.authorize(athlete, ("read",))
    await strava.exchange_code(code)
    with pytest.raises(ProviderError, match="code exchange refused"):
        await strava.exchange_code(code)


async def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working(
    fake_strava: FakeStrava, strava: StravaProvider
):
    athlete, token = await connect(fake_strava, strava)
    fake_strava.expire_access_tokens(athlete)
    refreshed = await strava.refresh(token)
    assert refreshed.refresh_token != token.refresh_token
    assert refreshed.access_token != token.access_token
    assert refreshed.provider_user_id == token.provider_user_id
    with pytest.raises(AuthRevoked):
        await strava.refresh(token)


async def test_refresh_keeps_the_access_token_while_it_has_over_an_hour_left(
    fake_strava: FakeStrava, strava: StravaProvider
):
    _, token = await connect(fake_strava, strava)
    refreshed = await strava.refresh(token)
    assert refreshed.access_token == token.access_token


async def test_list_since_a_time_walks_every_page(
    fake_strava: FakeStrava, strava: StravaProvider, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("core.sync.providers.strava.PAGE_SIZE", 2)
    athlete, token = await connect(fake_strava, strava)
    old = fake_strava.add_activity(athlete, start=START - timedelta(days=10))
    recent = [
        fake_strava.add_activity(athlete, start=START + timedelta(days=i), sport_type=sport)
        for i, sport in enumerate(["Run", "GravelRide", "Swim", "Yoga", "Kitesurf"])
    ]
    refs = await strava.list_activities(token, since=START - timedelta(days=1))
    assert sorted(r.activity_id for r in refs) == sorted(str(i) for i in recent)
    assert str(old) not in {r.activity_id for r in refs}
    by_id = {r.activity_id: r.sport_hint for r in refs}
    assert [by_id[str(i)] for i in recent] == [
        Sport.RUN,
        Sport.RIDE,
        Sport.SWIM,
        Sport.STRENGTH,
        Sport.OTHER,
    ]
    pages = [c.query["page"] for c in fake_strava.calls_to("/api/v3/athlete/activities")]
    assert pages == ["1", "2", "3"]


async def test_fetch_one_with_streams_gives_a_1hz_activity(
    fake_strava: FakeStrava, strava: StravaProvider
):
    athlete, token = await connect(fake_strava, strava)
    streams: dict[str, list[Any]] = {
        "time": [0, 1, 2, 4, 30, 31],
        "heartrate": [120, 125, 130, 132, 110, 112],
        "watts": [200, None, 210, 220, 0, 150],
        "distance": [0.0, 3.0, 6.0, 12.0, 13.0, 16.0],
        "latlng": [[48.1, 2.1], [48.1, 2.2], [48.2, 2.2], [48.2, 2.3], [48.2, 2.3], [48.3, 2.4]],
        "moving": [True, True, True, True, True, True],
    }
    activity_id = fake_strava.add_activity(
        athlete,
        start=START,
        sport_type="TrailRun",
        legacy_type="Run",
        elapsed_s=31,
        streams=streams,
        private=True,
        visibility="only_me",
        device_watts=True,
        average_watts=195.0,
    )
    fetched = await strava.fetch_activity(token, str(activity_id))
    [parsed] = fetched.activities
    assert parsed.sport is Sport.TRAIL_RUN
    assert parsed.start == START
    assert parsed.timezone == "Europe/Paris"
    assert parsed.calories == 420.0
    assert fetched.private is True
    assert fetched.provider_user_id == str(athlete)
    s = parsed.streams
    assert s is not None and len(s) == 32
    assert s.heart_rate is not None and s.power is not None, "both were recorded"
    assert s.lat is not None and s.lng is not None and s.moving is not None
    assert s.heart_rate[4] == 132 and math.isnan(s.heart_rate[3])
    assert math.isnan(s.power[1])  # Strava's null is missing, not 0 W
    assert s.power[30] == 0.0
    assert s.lat[31] == 48.3 and s.lng[31] == 2.4
    assert s.moving[3] and not s.moving[10]  # a 26 s silence is a pause
    assert s.cadence is None  # not recorded, not invented
    streams_call = fake_strava.calls_to(f"/api/v3/activities/{activity_id}/streams")[0]
    assert streams_call.query["key_by_type"] == "true"
    assert "watts" in streams_call.query["keys"].split(",")


async def test_a_manual_activity_without_streams_still_fetches(
    fake_strava: FakeStrava, strava: StravaProvider
):
    athlete, token = await connect(fake_strava, strava)
    activity_id = fake_strava.add_activity(athlete, start=START, sport_type="WeightTraining")
    fetched = await strava.fetch_activity(token, str(activity_id))
    assert fetched.activities[0].sport is Sport.STRENGTH
    assert fetched.activities[0].streams is None


async def test_429_defers_to_the_end_of_the_quarter_hour(
    fake_strava: FakeStrava, strava: StravaProvider
):
    _, token = await connect(fake_strava, strava)
    fake_strava.limits = Limits(read_15min=2)
    await strava.list_activities(token, since=START)
    await strava.list_activities(token, since=START)
    fake_strava.usage.read_15min = 5  # another app instance used the rest
    with pytest.raises(RateLimited) as caught:
        await strava.list_activities(token, since=START)
    assert caught.value.retry_at == datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    assert caught.value.window == "15min"


async def test_an_exhausted_daily_window_defers_to_utc_midnight(
    fake_strava: FakeStrava, strava: StravaProvider
):
    _, token = await connect(fake_strava, strava)
    fake_strava.limits = Limits(read_daily=3)
    fake_strava.usage.read_daily = 3
    with pytest.raises(RateLimited) as caught:
        await strava.list_activities(token, since=START)
    assert caught.value.retry_at == datetime(2026, 11, 29, tzinfo=UTC)
    assert caught.value.window == "daily"


async def test_full_usage_refuses_without_calling_strava(
    fake_strava: FakeStrava, strava_config, http: httpx.AsyncClient
):
    store = InMemoryRateLimitStore()
    worker_a = StravaProvider(strava_config, http, rate_limits=store, clock=lambda: NOW)
    worker_b = StravaProvider(strava_config, http, rate_limits=store, clock=lambda: NOW)
    _, token = await connect(fake_strava, worker_a)
    fake_strava.limits = Limits(read_15min=1)
    await worker_a.list_activities(token, since=START)  # usage now 1 of 1
    calls_before = len(fake_strava.calls)
    with pytest.raises(RateLimited) as caught:
        await worker_b.list_activities(token, since=START)
    assert caught.value.retry_at == datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    assert len(fake_strava.calls) == calls_before
    # the next quarter hour the stored usage is stale and calls resume
    later = StravaProvider(
        strava_config, http, rate_limits=store, clock=lambda: NOW + timedelta(minutes=8)
    )
    fake_strava.usage.read_15min = 0
    assert await later.list_activities(token, since=START) == []


async def test_5xx_is_provider_unavailable(fake_strava: FakeStrava, strava: StravaProvider):
    _, token = await connect(fake_strava, strava)
    fake_strava.fail_next("/api/v3/athlete/activities", 503, headers={"Retry-After": "120"})
    with pytest.raises(ProviderUnavailable) as caught:
        await strava.list_activities(token, since=START)
    assert caught.value.retry_after == 120


async def test_expired_token_refreshes_once_and_the_new_pair_is_saved(
    fake_strava: FakeStrava, strava: StravaProvider
):
    athlete, token = await connect(fake_strava, strava)
    fake_strava.add_activity(athlete, start=START)
    fake_strava.expire_access_tokens(athlete)
    saved = []

    async def save(new_token):
        saved.append(new_token)

    refs = await call_with_fresh_token(
        strava,  # type: ignore[arg-type]  # core: StravaProvider.name is str, not a ProviderName
        token,
        lambda t: strava.list_activities(t, since=START - timedelta(days=1)),
        save,
    )
    assert len(refs) == 1
    assert saved and saved[0].refresh_token != token.refresh_token


async def test_401_after_refresh_is_auth_revoked(fake_strava: FakeStrava, strava: StravaProvider):
    _, token = await connect(fake_strava, strava)
    fake_strava.fail_next(
        "/api/v3/athlete/activities",
        401,
        count=2,
        body={"message": "Authorization Error", "errors": []},
    )

    async def save(_token):
        return None

    with pytest.raises(AuthRevoked):
        await call_with_fresh_token(
            strava,  # type: ignore[arg-type]  # core: StravaProvider.name is str, not a ProviderName
            token,
            lambda t: strava.list_activities(t, since=START),
            save,
        )


async def test_revoked_athlete_cannot_be_refreshed(fake_strava: FakeStrava, strava: StravaProvider):
    athlete, token = await connect(fake_strava, strava)
    fake_strava.revoke(athlete)
    with pytest.raises(TokenExpired):
        await strava.list_activities(token, since=START)
    with pytest.raises(AuthRevoked):
        await strava.refresh(token)


async def test_deauthorize_revokes_every_token(fake_strava: FakeStrava, strava: StravaProvider):
    _, token = await connect(fake_strava, strava)
    await strava.deauthorize(token)
    with pytest.raises(TokenExpired):
        await strava.list_activities(token, since=START)
    await strava.deauthorize(token)  # a second call is harmless


def test_subscription_challenge_answers_only_our_verify_token(strava: StravaProvider):
    query = {"hub.mode": "subscribe", "hub.challenge": "abc123", "hub.verify_token": "verify-me"}
    assert strava.subscription_challenge(query) == {"hub.challenge": "abc123"}
    with pytest.raises(WebhookRejected) as caught:
        strava.subscription_challenge({**query, "hub.verify_token": "guess"})
    assert caught.value.status_code == 403


def test_events_are_accepted_only_for_our_subscription(strava: StravaProvider):
    event = {
        "object_type": "activity",
        "object_id": 1,
        "aspect_type": "create",
        "owner_id": 2,
        "subscription_id": 120475,
        "event_time": 1764316800,
        "updates": {},
    }
    strava.verify_webhook({}, json.dumps(event).encode(), {})
    with pytest.raises(WebhookRejected):
        strava.verify_webhook({}, json.dumps({**event, "subscription_id": 999}).encode(), {})
    with pytest.raises(MalformedWebhook):
        strava.verify_webhook({}, b"not json", {})


def test_events_parse_to_kinds_with_stable_keys(fake_strava: FakeStrava, strava: StravaProvider):
    def parse(event):
        [parsed] = strava.parse_webhook(json.dumps(event).encode())
        return parsed

    build_event = partial(
        fake_strava.build_event,
        object_type="activity",
        object_id=17000000001,
        owner_id=134815,
        subscription_id=120475,
        event_time=1764316800,
    )
    create = parse(build_event(aspect_type="create"))
    update = parse(
        build_event(aspect_type="update", updates={"title": "Evening", "private": "true"})
    )
    delete = parse(build_event(aspect_type="delete"))
    deauth = parse(fake_strava.deauthorize_event(134815))
    assert [e.kind for e in (create, update, delete, deauth)] == [
        "create",
        "update",
        "delete",
        "deauthorize",
    ]
    assert create.activity_id == "17000000001" and create.provider_user_id == "134815"
    assert create.activity_ref is not None and delete.activity_ref is None
    assert update.updates["title"] == "Evening"
    assert len({create.event_key, update.event_key, delete.event_key, deauth.event_key}) == 4
    assert parse(build_event(aspect_type="create")).event_key == create.event_key
    with pytest.raises(MalformedWebhook):
        strava.parse_webhook(b'{"object_type": "activity"}')


async def test_push_subscription_create_list_delete(
    fake_strava: FakeStrava, strava: StravaProvider
):
    from aiohttp import web

    async def callback(request: web.Request) -> web.Response:
        try:
            return web.json_response(strava.subscription_challenge(request.query))
        except WebhookRejected as exc:
            assert exc.status_code is not None, "a rejection always says its status"
            return web.Response(status=exc.status_code)

    app = web.Application()
    app.router.add_get("/webhooks/strava", callback)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS chose for 127.0.0.1:0
    try:
        created = await strava.create_subscription(f"http://127.0.0.1:{port}/webhooks/strava")
        assert [s["id"] for s in await strava.list_subscriptions()] == [created["id"]]
        await strava.delete_subscription(created["id"])
        assert await strava.list_subscriptions() == []
    finally:
        await runner.cleanup()
