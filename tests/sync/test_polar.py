from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web

from core.activities.parsed import Sport
from core.sync.providers.base import (
    AuthRevoked,
    MalformedWebhook,
    ProviderConfig,
    ProviderUnavailable,
    TokenExpired,
    WebhookRejected,
)
from core.sync.providers.polar import PolarProvider
from core.sync.tokens import call_with_fresh_token
from tests.fakes.providers.polar import FakePolar
from tests.sync.conftest import fixture_bytes

RUN_FIT = "running_short_fenix5.fit"


@pytest.fixture
async def fake() -> AsyncIterator[FakePolar]:
    async with FakePolar() as server:
        yield server


def make_polar(fake: FakePolar, http: httpx.AsyncClient, secret: str = "") -> PolarProvider:
    return PolarProvider(
        ProviderConfig(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            api_base=fake.api_base,
            oauth_base=fake.oauth_base,
            token_url=fake.token_url,
            redirect_uri="https://trainlytics.test/oauth/polar/callback",
            webhook_secret=secret,
        ),
        http,
    )


@pytest.fixture
def polar(fake: FakePolar, http: httpx.AsyncClient) -> PolarProvider:
    return make_polar(fake, http)


def test_authorize_url_asks_for_accesslink(polar: PolarProvider):
    query = parse_qs(urlsplit(polar.authorize_url("st")).query)
    assert query["scope"] == ["accesslink.read_all"]
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["polar-client"]
    assert query["state"] == ["st"]
    assert "code_challenge" not in query


async def test_code_exchange_uses_basic_auth_and_registers_the_user(
    fake: FakePolar, polar: PolarProvider
):
    user = fake.add_user()
    redirect = "https://trainlytics.test/oauth/polar/callback"
    token = await polar.exchange_code(fake.authorize(user, redirect))
    assert token.provider_user_id == str(user)
    assert token.refresh_token is None
    call = fake.calls_to("/v2/oauth2/token")[0]
    expected = base64.b64encode(b"polar-client:polar-secret").decode()
    assert call.headers["Authorization"] == f"Basic {expected}"
    assert fake.users[user].registered_at is not None
    assert fake.users[user].member_id == f"trainlytics-{user}"


async def test_no_refresh_so_a_401_means_reconnect(fake: FakePolar, polar: PolarProvider):
    user = fake.add_user()
    token = await polar.exchange_code(fake.authorize(user))
    fake.tokens.clear()
    with pytest.raises(TokenExpired):
        await polar.list_activities(token, datetime(2026, 1, 1, tzinfo=UTC))

    async def save(_token):
        raise AssertionError("nothing to save without a refresh")

    with pytest.raises(AuthRevoked):
        await call_with_fresh_token(
            polar,  # type: ignore[arg-type]  # core: PolarProvider.name is str, not a ProviderName
            token,
            lambda t: polar.list_activities(t, datetime(2026, 1, 1, tzinfo=UTC)),
            save,
        )


async def test_list_since_and_fetch_a_fit_exercise(fake: FakePolar, polar: PolarProvider):
    user = fake.add_user()
    token = await polar.exchange_code(fake.authorize(user))
    now = datetime.now(UTC).replace(microsecond=0)
    old = fake.add_exercise(user, fixture_bytes(RUN_FIT), start_utc=now - timedelta(days=5))
    new = fake.add_exercise(
        user,
        fixture_bytes(RUN_FIT),
        start_utc=now - timedelta(hours=3),
        utc_offset_min=-300,
        detailed_sport_info="RUNNING_TRAIL",
    )
    refs = await polar.list_activities(token, since=now - timedelta(days=1))
    assert [r.activity_id for r in refs] == [new]
    assert refs[0].start == now - timedelta(hours=3)  # local time minus its offset
    assert refs[0].sport_hint is Sport.TRAIL_RUN
    assert old not in {r.activity_id for r in refs}
    fetched = await polar.fetch_activity(token, refs[0])
    [parsed] = fetched.activities
    assert parsed.sport is Sport.TRAIL_RUN  # the file says running; Polar's label refines it
    assert parsed.streams is not None and parsed.streams.heart_rate is not None
    assert parsed.start.tzinfo is not None


async def test_exercises_before_registration_are_never_offered(
    fake: FakePolar, polar: PolarProvider
):
    user = fake.add_user()
    fake.add_exercise(
        user,
        fixture_bytes(RUN_FIT),
        start_utc=datetime.now(UTC),
        uploaded=datetime.now(UTC) - timedelta(hours=1),
    )
    token = await polar.exchange_code(fake.authorize(user))
    assert await polar.list_activities(token, since=datetime(2020, 1, 1, tzinfo=UTC)) == []


async def test_5xx_is_provider_unavailable(fake: FakePolar, polar: PolarProvider):
    user = fake.add_user()
    token = await polar.exchange_code(fake.authorize(user))
    fake.fail_next("/v3/exercises", 502)
    with pytest.raises(ProviderUnavailable):
        await polar.list_activities(token, since=datetime(2026, 1, 1, tzinfo=UTC))


async def test_deauthorize_deregisters(fake: FakePolar, polar: PolarProvider):
    user = fake.add_user()
    token = await polar.exchange_code(fake.authorize(user))
    await polar.deauthorize(token)
    assert fake.users[user].registered_at is None
    with pytest.raises(TokenExpired):
        await polar.list_activities(token, since=datetime(2026, 1, 1, tzinfo=UTC))


async def test_webhook_creation_then_signed_events_only(fake: FakePolar, http: httpx.AsyncClient):
    received: list[tuple[dict, bytes]] = []
    provider = make_polar(fake, http)

    async def endpoint(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            provider.verify_webhook(request.headers, raw, request.query)
        except WebhookRejected as exc:
            assert exc.status_code is not None, "a rejection always says its status"
            return web.Response(status=exc.status_code)
        received.append((dict(request.headers), raw))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/webhooks/polar", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS chose for 127.0.0.1:0
    url = f"http://127.0.0.1:{port}/webhooks/polar"
    try:
        created = await provider.create_webhook(url)
        assert [json.loads(raw)["event"] for _, raw in received] == ["PING"]
        provider = make_polar(fake, http, secret=created["signature_secret_key"])
        body = fake.exercise_event(475, "aQlC83")
        assert await fake.send_event(url, body) == 200
    finally:
        await runner.cleanup()
    [event] = provider.parse_webhook(received[-1][1])
    assert event.kind == "create" and event.activity_id == "aQlC83"
    assert event.provider_user_id == "475"
    assert event.event_key == provider.parse_webhook(body)[0].event_key
    with pytest.raises(WebhookRejected):
        provider.verify_webhook({"Polar-Webhook-Signature": "00" * 32}, body, {})
    with pytest.raises(WebhookRejected):
        provider.verify_webhook({}, body, {})
    tampered = body.replace(b"aQlC83", b"zzzzzz")
    with pytest.raises(WebhookRejected):
        provider.verify_webhook({"polar-webhook-signature": fake.sign(body)}, tampered, {})
    provider.verify_webhook({"polar-webhook-signature": fake.sign(body)}, body, {})


def test_parse_ignores_non_exercise_events_and_rejects_garbage(polar: PolarProvider):
    sleep = {"event": "SLEEP", "user_id": 475, "date": "2026-11-27", "timestamp": "x"}
    assert polar.parse_webhook(json.dumps(sleep).encode()) == []
    with pytest.raises(MalformedWebhook):
        polar.parse_webhook(b"[]")
    with pytest.raises(MalformedWebhook):
        polar.parse_webhook(json.dumps({"event": "EXERCISE", "user_id": 1}).encode())
