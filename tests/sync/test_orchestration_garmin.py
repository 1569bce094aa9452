"""Garmin end to end through the real routes: connect (PKCE), backfill request and the pushed
files, webhook create / replay / manual update, refresh, 401, 429, deregistration.

Garmin sends no deletion notification (providers.md §2.2 lists the summary types: none is a
deletion), so there is no delete case here; an activity deleted at Garmin simply stops
arriving.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from core.activities.streams_store import load_streams
from core.db.models import ConnectedAccount, WebhookEvent
from core.enums import NotificationKind
from core.files import parse_activity_file
from core.sync import orchestrator
from core.sync.connections.stored_tokens import read_token
from tests.fakes.providers.garmin import FakeGarmin
from tests.sync.conftest import fixture_bytes
from tests.sync.sync_harness import (
    AppHarness,
    athlete,
    connect_through_browser,
    live,
    notes,
    now_clock,
    rows,
)
from tests.sync.sync_harness import app_settings as settings_for
from trainlytics.container import build_container

RUN = "running_short_fenix5.fit"
RIDE = "cycling_power_outdoor_edge810.fit"


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def garmin(clock) -> AsyncIterator[FakeGarmin]:
    async with FakeGarmin(clock=clock.now) as fake:
        yield fake


@pytest.fixture
async def harness(db, clock, tmp_path, garmin) -> AsyncIterator[AppHarness]:
    container = build_container(settings_for(tmp_path, garmin=garmin), clock=clock, db=db)
    async with AppHarness(container) as running:
        yield running


async def connect_in_browser(harness, browser, garmin) -> tuple[str, int, ConnectedAccount]:
    """Bot link -> /connect/garmin -> Garmin consent -> /oauth/garmin/callback."""
    garmin_user = garmin.add_user()
    user_id = await athlete(harness.container.db)
    await connect_through_browser(harness, browser, "garmin", "Garmin", user_id)
    [account] = await rows(harness, ConnectedAccount, ConnectedAccount.user_id == user_id)
    return garmin_user, user_id, account


async def push(harness, garmin, notification: dict, *, client_id: str | None = None) -> int:
    headers = {"garmin-client-id": client_id or garmin.client_id}
    response = await harness.client.post(
        "/webhooks/garmin", content=json.dumps(notification), headers=headers
    )
    await harness.jobs_done()
    return response.status_code


def fit_start(name: str):
    return parse_activity_file(fixture_bytes(name), name)[0].start


async def test_connect_uses_pkce_and_stores_the_tokens_encrypted(harness, browser, garmin):
    garmin_user, _, account = await connect_in_browser(harness, browser, garmin)
    [authorize] = garmin.calls_to("/oauth2Confirm")
    assert authorize.query["code_challenge_method"] == "S256"
    [exchange] = [
        c
        for c in garmin.calls_to("/di-oauth2-service/oauth/token")
        if b"authorization_code" in c.body
    ]
    assert b"code_verifier=" in exchange.body  # the fake checks it against the challenge
    assert account.provider_user_id == garmin_user
    token = read_token(harness.container.cipher, account)
    assert token.access_token in garmin.access_tokens
    assert token.refresh_token is not None, "Garmin issues a refresh token"
    assert token.refresh_token in garmin.refresh_tokens
    assert token.access_token not in account.access_token_enc
    assert token.refresh_token not in (account.refresh_token_enc or "")


async def test_backfill_is_requested_then_the_pushed_files_are_recorded_quietly(
    harness, browser, garmin
):
    garmin_user, user_id, account = await connect_in_browser(harness, browser, garmin)
    assert account.backfill["status"] == "requested"
    requested = garmin.calls_to("/wellness-api/rest/backfill/activities")
    assert len(requested) == 3  # 90 days in Garmin's 30-day windows
    now = harness.container.clock.now()
    for days_ago, name in ((20, RIDE), (3, RUN)):  # the record's start picks the window
        garmin.add_activity(garmin_user, fixture_bytes(name), start=now - timedelta(days=days_ago))
    garmin.add_activity(garmin_user, fixture_bytes(RUN), start=now - timedelta(days=200))
    assert await push(harness, garmin, garmin.backfill_notification(garmin_user)) == 200
    stored = await live(harness, user_id)
    assert sorted(a.sport for a in stored) == ["ride", "run"]
    assert {n.kind for n in await notes(harness, user_id)} == {NotificationKind.SYNC_STATUS}
    # a second connect-time backfill is not requested again (the job ran once)
    ctx = harness.container.sync
    assert (await orchestrator.backfill_step(ctx, account.id)).outcome == "already done"


async def test_a_pushed_file_becomes_one_activity_with_streams_and_a_replay_changes_nothing(
    harness, browser, garmin
):
    garmin_user, user_id, _ = await connect_in_browser(harness, browser, garmin)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    notification = garmin.activity_files_notification(record)
    assert await push(harness, garmin, notification) == 200
    [activity] = await live(harness, user_id)
    assert (activity.source, activity.source_id, activity.sport) == (
        "garmin",
        record["summaryId"],
        "run",
    )
    async with harness.container.db.unit_of_work() as session:
        streams = await load_streams(session, activity.id)
    assert streams is not None and len(streams.time_s) > 30
    assert streams.heart_rate is not None
    for _ in range(3):  # Garmin retries a delivery it thinks failed
        assert await push(harness, garmin, notification) == 200
    assert [a.id for a in await live(harness, user_id)] == [activity.id]
    assert len(await rows(harness, WebhookEvent)) == 1
    assert len(garmin.calls_to("/wellness-api/rest/activityFile")) == 1  # single-use URL


async def test_a_push_without_our_client_id_is_refused(harness, browser, garmin):
    garmin_user, user_id, _ = await connect_in_browser(harness, browser, garmin)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    notification = garmin.activity_files_notification(record)
    assert await push(harness, garmin, notification, client_id="someone-else") == 200
    assert await rows(harness, WebhookEvent) == [] and await live(harness, user_id) == []


async def test_a_manual_update_renames_the_activity_and_keeps_its_streams(harness, browser, garmin):
    garmin_user, user_id, _ = await connect_in_browser(harness, browser, garmin)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    await push(harness, garmin, garmin.activity_files_notification(record))
    [before] = await live(harness, user_id)
    await push(
        harness, garmin, garmin.manually_updated_notification(record, activityName="Hill repeats")
    )
    [after] = await live(harness, user_id)
    assert after.id == before.id and after.name == "Hill repeats"
    assert after.distance_m == before.distance_m  # the file's figures, not the summary's
    async with harness.container.db.unit_of_work() as session:
        assert await load_streams(session, after.id) is not None


async def test_an_update_arriving_before_its_file_still_ends_with_the_files_streams(
    harness, browser, garmin
):
    garmin_user, user_id, _ = await connect_in_browser(harness, browser, garmin)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    await push(
        harness, garmin, garmin.manually_updated_notification(record, activityName="Hill repeats")
    )
    [early] = await live(harness, user_id)
    assert early.name == "Hill repeats"
    await push(harness, garmin, garmin.activity_files_notification(record))
    [activity] = await live(harness, user_id)
    assert activity.id == early.id
    async with harness.container.db.unit_of_work() as session:
        streams = await load_streams(session, activity.id)
    assert streams is not None and streams.heart_rate is not None
    assert activity.distance_m != 5000.0  # the file's distance replaced the summary's


async def test_an_expired_access_token_is_refreshed_and_the_rotated_pair_stored(
    harness, browser, garmin
):
    garmin_user, user_id, account = await connect_in_browser(harness, browser, garmin)
    old = read_token(harness.container.cipher, account)
    garmin.expire_access_tokens(garmin_user)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    await push(harness, garmin, garmin.activity_files_notification(record))
    assert len(await live(harness, user_id)) == 1
    [stored] = await rows(harness, ConnectedAccount, ConnectedAccount.id == account.id)
    new = read_token(harness.container.cipher, stored)
    assert new.refresh_token != old.refresh_token
    assert new.refresh_token in garmin.refresh_tokens
    assert old.refresh_token not in garmin.refresh_tokens  # Garmin rotated it away


async def test_a_401_that_refresh_cannot_fix_disables_and_tells_how_to_reconnect(
    harness, browser, garmin
):
    garmin_user, user_id, account = await connect_in_browser(harness, browser, garmin)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    garmin.revoke(garmin_user)
    await push(harness, garmin, garmin.activity_files_notification(record))
    [stored] = await rows(harness, ConnectedAccount, ConnectedAccount.id == account.id)
    assert (stored.status, stored.sync_enabled) == ("revoked", False)
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "failed"
    told = [n.payload for n in await notes(harness, user_id) if n.payload.get("revoked")]
    assert len(told) == 1 and told[0]["reconnect_command"] == "/connect garmin"


async def test_a_429_defers_the_event_and_the_athlete_hears_once(harness, browser, garmin):
    garmin_user, user_id, account = await connect_in_browser(harness, browser, garmin)
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    garmin.fail_next(
        "/wellness-api/rest/activityFile", 429, count=2, headers={"Retry-After": "120"}
    )
    await push(harness, garmin, garmin.activity_files_notification(record))
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "pending" and "429" in (event.error or "")
    assert await live(harness, user_id) == []
    ctx = harness.container.sync
    again = await orchestrator.process_event(ctx, event.id, attempt=1)  # the deferred retry
    assert not again.finished and again.retry_at is not None
    delayed = [n for n in await notes(harness, user_id) if n.payload.get("delayed")]
    assert len(delayed) == 1
    assert (await orchestrator.process_event(ctx, event.id, attempt=2)).finished
    assert len(await live(harness, user_id)) == 1
    [stored] = await rows(harness, ConnectedAccount, ConnectedAccount.id == account.id)
    assert stored.status == "active" and not stored.delayed_notice_sent


async def test_deregistration_disables_the_account_and_later_pushes_are_ignored(
    harness, browser, garmin
):
    garmin_user, user_id, account = await connect_in_browser(harness, browser, garmin)
    garmin.deregister(garmin_user)  # the athlete removed the app in Garmin Connect
    assert await push(harness, garmin, garmin.deregistration_notification(garmin_user)) == 200
    [stored] = await rows(harness, ConnectedAccount, ConnectedAccount.id == account.id)
    assert (stored.status, stored.sync_enabled) == ("revoked", False)
    told = [n.payload for n in await notes(harness, user_id) if n.payload.get("revoked")]
    assert told and told[0]["reconnect_command"] == "/connect garmin"
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN))
    await push(harness, garmin, garmin.activity_files_notification(record))
    assert await live(harness, user_id) == []
    assert (await rows(harness, WebhookEvent))[-1].status == "ignored"


async def test_switching_off_activity_sharing_disables_the_account(harness, browser, garmin):
    garmin_user, _, account = await connect_in_browser(harness, browser, garmin)
    garmin.set_permissions(garmin_user, ("HEALTH_EXPORT",))
    await push(harness, garmin, garmin.permissions_notification(garmin_user, ["HEALTH_EXPORT"]))
    [stored] = await rows(harness, ConnectedAccount, ConnectedAccount.id == account.id)
    assert stored.status == "revoked"


async def test_a_ping_is_followed_to_its_callback_url(harness, browser, garmin):
    garmin_user, user_id, _ = await connect_in_browser(harness, browser, garmin)
    now = harness.container.clock.now()
    garmin.add_activity(garmin_user, fixture_bytes(RUN), start=fit_start(RUN), uploaded=now)
    window = {
        "uploadStartTimeInSeconds": int((now - timedelta(minutes=5)).timestamp()),
        "uploadEndTimeInSeconds": int((now + timedelta(minutes=5)).timestamp()),
    }
    callback = f"{garmin.api_base}/wellness-api/rest/activityFiles?" + "&".join(
        f"{k}={v}" for k, v in window.items()
    )
    ping = {"activityFiles": [{"userId": garmin_user, "callbackURL": callback, **window}]}
    assert await push(harness, garmin, ping) == 200
    [activity] = await live(harness, user_id)
    assert activity.sport == "run"
    [pull] = garmin.calls_to("/wellness-api/rest/activityFiles")
    assert pull.query == {k: str(v) for k, v in window.items()}  # the ping's own window
