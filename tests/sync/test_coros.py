from __future__ import annotations

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
    ProviderUnavailable,
    TokenExpired,
    WebhookRejected,
)
from core.sync.providers.coros import CorosProvider
from core.sync.tokens import call_with_fresh_token
from tests.fakes.providers.coros import FakeCoros
from tests.sync.conftest import fixture_bytes

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
COROS_FIT = "cycling_hr_gps_coros_pace2.fit"
RUN_FIT = "running_short_fenix5.fit"


@pytest.fixture
async def fake() -> AsyncIterator[FakeCoros]:
    async with FakeCoros() as server:
        yield server


@pytest.fixture
def coros(fake: FakeCoros, http: httpx.AsyncClient) -> CorosProvider:
    return CorosProvider(
        ProviderConfig(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            api_base=fake.api_base,
            oauth_base=fake.oauth_base,
            redirect_uri="https://trainlytics.test/oauth/coros/callback",
        ),
        http,
        clock=lambda: NOW,
    )


async def connect(fake: FakeCoros, coros: CorosProvider):
    user = fake.add_user()
    return user, await coros.exchange_code(fake.authorize(user))


def test_authorize_url(coros: CorosProvider):
    query = {k: v[0] for k, v in parse_qs(urlsplit(coros.authorize_url("st")).query).items()}
    assert query == {
        "client_id": "coros-client",
        "response_type": "code",
        "state": "st",
        "redirect_uri": "https://trainlytics.test/oauth/coros/callback",
    }


async def test_exchange_then_refresh_extends_the_same_token(fake: FakeCoros, coros: CorosProvider):
    user, token = await connect(fake, coros)
    assert token.provider_user_id == user
    fake.expire_access_tokens(user)
    refreshed = await coros.refresh(token)
    assert refreshed.access_token == token.access_token
    assert refreshed.refresh_token == token.refresh_token
    assert refreshed.expires_at == NOW + timedelta(days=30)
    assert await coros.list_activities(refreshed, since=NOW - timedelta(days=1)) == []


async def test_token_invalid_result_code_refreshes_or_revokes(
    fake: FakeCoros, coros: CorosProvider
):
    user, token = await connect(fake, coros)
    fake.expire_access_tokens(user)
    with pytest.raises(TokenExpired):
        await coros.list_activities(token, since=NOW - timedelta(days=1))
    await coros.deauthorize(token)

    async def save(_token):
        return None

    with pytest.raises(AuthRevoked):
        await call_with_fresh_token(
            coros,  # type: ignore[arg-type]  # core: CorosProvider.name is str, not a ProviderName
            token,
            lambda t: coros.list_activities(t, NOW - timedelta(days=1)),
            save,
        )


async def test_try_later_code_and_5xx_are_unavailable(fake: FakeCoros, coros: CorosProvider):
    _, token = await connect(fake, coros)
    fake.fail_next("/v2/coros/sport/list", 200, body={"result": "5016", "message": "busy"})
    with pytest.raises(ProviderUnavailable):
        await coros.list_activities(token, since=NOW - timedelta(days=1))
    fake.fail_next("/v2/coros/sport/list", 503)
    with pytest.raises(ProviderUnavailable):
        await coros.list_activities(token, since=NOW - timedelta(days=1))


async def test_list_in_30_day_ranges_and_fetch_the_fit(fake: FakeCoros, coros: CorosProvider):
    user, token = await connect(fake, coros)
    fake.add_workout(user, fixture_bytes(COROS_FIT), start=NOW - timedelta(days=40), mode=9)
    fake.add_workout(user, fixture_bytes(RUN_FIT), start=NOW - timedelta(days=70))
    refs = await coros.list_activities(token, since=NOW - timedelta(days=50))
    assert len(refs) == 1 and refs[0].start == NOW - timedelta(days=40)
    assert len(fake.calls_to("/v2/coros/sport/list")) == 2
    fake.expire_fit_urls()  # the listed URL has expired: a fresh one is asked for
    fetched = await coros.fetch_activity(token, refs[0])
    [parsed] = fetched.activities
    assert parsed.sport is Sport.RIDE  # mode 9 is unknown: the FIT file decides
    assert fake.calls_to("/v2/coros/sport/detail/fit")


async def test_push_needs_client_and_secret_headers(fake: FakeCoros, coros: CorosProvider):
    user = fake.add_user()
    workout = fake.add_workout(user, fixture_bytes(RUN_FIT), start=NOW)
    body = fake.push_body(workout)
    coros.verify_webhook({"client": "coros-client", "secret": "coros-secret"}, body, {})
    with pytest.raises(WebhookRejected):
        coros.verify_webhook({"client": "coros-client", "secret": "nope"}, body, {})
    with pytest.raises(WebhookRejected):
        coros.verify_webhook({}, body, {})
    coros.verify_webhook({}, b"", {})  # a status probe carries nothing and may pass
    assert coros.parse_webhook(b"") == []
    [event] = coros.parse_webhook(body)
    assert event.kind == "create" and event.provider_user_id == user
    assert event.activity_id == workout["labelId"]
    assert event.activity_ref is not None, "a create event points at the workout"
    assert event.activity_ref.sport_hint is Sport.RUN
    assert coros.parse_webhook(body)[0].event_key == event.event_key
    with pytest.raises(MalformedWebhook):
        coros.parse_webhook(b'{"sportDataList": [{"mode": 8}]}')
