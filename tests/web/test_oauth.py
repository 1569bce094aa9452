"""Connecting a provider in the browser: signed link -> provider consent -> callback page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from core.db.models import Activity, ConnectedAccount, OAuthState
from core.sync.connections.connect_links import connect_url
from tests.fakes.providers.garmin import FakeGarmin
from tests.fakes.providers.strava import FakeStrava
from tests.sync.sync_harness import PUBLIC_URL, AppHarness, athlete, now_clock, open_and_confirm
from tests.sync.sync_harness import app_settings as settings_for
from trainlytics.container import build_container


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def strava(clock) -> AsyncIterator[FakeStrava]:
    async with FakeStrava(clock=clock.now) as fake:
        yield fake


@pytest.fixture
async def garmin(clock) -> AsyncIterator[FakeGarmin]:
    async with FakeGarmin(clock=clock.now) as fake:
        yield fake


@pytest.fixture
async def harness(db, clock, tmp_path, strava, garmin) -> AsyncIterator[AppHarness]:
    container = build_container(
        settings_for(tmp_path, strava=strava, garmin=garmin), clock=clock, db=db
    )
    async with AppHarness(container) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def link(harness, user_id: int, provider: str = "strava", **kwargs) -> str:
    url = connect_url(
        PUBLIC_URL,
        harness.container.settings.secret_key,
        user_id,
        provider,
        harness.container.clock.now(),
        **kwargs,
    )
    return url.removeprefix(PUBLIC_URL)


async def consent(browser: httpx.AsyncClient, authorize_url: str) -> str:
    """The athlete clicks Authorize at the (fake) provider: back to our callback URL."""
    response = await browser.get(authorize_url)
    assert response.status_code == 302
    return response.headers["location"].removeprefix(PUBLIC_URL)


async def test_strava_connect_link_to_callback_stores_the_account_and_backfills(
    harness, strava, browser, db
):
    strava_id = strava.add_athlete()
    strava.add_activity(strava_id, start=harness.container.clock.now() - timedelta(days=3))
    user_id = await athlete(db)
    opened = await open_and_confirm(harness, "strava", user_id)
    authorize = opened.headers["location"]
    assert authorize.startswith(strava.oauth_base)
    callback = await consent(browser, authorize)
    assert callback.startswith("/oauth/strava/callback?")
    done = await harness.client.get(callback)
    assert done.status_code == 200
    assert "Strava connected, you can close this tab" in done.text
    await harness.jobs_done()
    async with db.unit_of_work() as session:
        account = await session.scalar(select(ConnectedAccount))
        activities = list(await session.scalars(select(Activity)))
    assert (account.user_id, account.provider_user_id) == (user_id, str(strava_id))
    assert account.backfill["status"] == "done" and len(activities) == 1
    replay = await harness.client.get(callback)
    assert replay.status_code == 400 and "already used" in replay.text


async def test_a_connect_link_opens_once(harness, db):
    user_id = await athlete(db)
    path = link(harness, user_id)
    assert (await harness.client.get(path)).status_code == 200
    again = await harness.client.get(path)
    assert again.status_code == 400 and "already used" in again.text


async def test_forged_expired_and_foreign_links_are_refused(harness, db):
    user_id = await athlete(db)
    forged = link(harness, user_id)[:-3] + "abc"
    expired = link(harness, user_id, lifetime=timedelta(seconds=-1))
    garmin_link = link(harness, user_id, "garmin").replace("/connect/garmin", "/connect/strava")
    for path in (forged, expired, garmin_link, "/connect/strava"):
        response = await harness.client.get(path)
        assert response.status_code == 400, path
        assert "<h1>" in response.text


async def test_unknown_or_unconfigured_provider_is_404(harness, db):
    user_id = await athlete(db)
    assert (await harness.client.get(link(harness, user_id, "polar"))).status_code == 404
    assert (await harness.client.get("/oauth/fitbit/callback?state=a&code=b")).status_code == 404


async def test_an_expired_or_unknown_state_gets_a_clear_page(harness, db, strava, browser):
    strava.add_athlete()
    user_id = await athlete(db)
    opened = await open_and_confirm(harness, "strava", user_id)
    callback = await consent(browser, opened.headers["location"])
    harness.container.clock.advance(timedelta(minutes=11))
    late = await harness.client.get(callback)
    assert late.status_code == 400 and "expired" in late.text
    unknown = await harness.client.get("/oauth/strava/callback?state=nope&code=x")
    assert unknown.status_code == 400
    denied = await harness.client.get("/oauth/strava/callback?error=access_denied&state=s")
    assert denied.status_code == 400 and "access_denied" in denied.text
    async with db.unit_of_work() as session:
        assert await session.scalar(select(ConnectedAccount)) is None


async def test_garmin_uses_pkce_and_requests_a_backfill(harness, garmin, browser, db):
    garmin.add_user()
    user_id = await athlete(db)
    opened = await open_and_confirm(harness, "garmin", user_id)
    query = parse_qs(urlsplit(opened.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    async with db.unit_of_work() as session:
        stored = list(
            await session.scalars(select(OAuthState).where(OAuthState.code_verifier.is_not(None)))
        )
    assert len(stored) == 1
    done = await harness.client.get(await consent(browser, opened.headers["location"]))
    assert done.status_code == 200 and "Garmin connected" in done.text
    await harness.jobs_done()
    async with db.unit_of_work() as session:
        account = await session.scalar(select(ConnectedAccount))
    assert account.backfill["status"] == "requested"
    assert garmin.calls_to("/wellness-api/rest/backfill/activities")
