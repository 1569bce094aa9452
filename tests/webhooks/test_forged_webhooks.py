"""Forged provider webhooks against the running web app and worker task (issue 12, items 1-2).

Each attack is posted to the real `/webhooks/{provider}` route; the jobs run in the
in-memory broker exactly as the worker runs them, against the strict fake providers and
a hostile server on another loopback port. What must hold: no request (so no token)
reaches the attacker, nothing forged is stored, no revocation or deletion is believed
before the provider confirms it, and a rejected event is never retried.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.conversation.notifications import NotificationView, render_notification
from core.db.models import Activity, ConnectedAccount, Notification, WebhookEvent
from core.enums import NotificationKind
from core.outbox.payloads import read_payload
from core.sync.connections.stored_tokens import read_token
from core.sync.orchestrator.webhook_events import store_webhook_events
from core.sync.providers.base import ActivityRef
from core.sync.providers.base import WebhookEvent as ProviderEvent
from tests.fakes.providers.attacker import FakeAttacker
from tests.sync.conftest import fixture_bytes
from tests.sync.sync_harness import (
    POLAR_SECRET,
    STRAVA_SUBSCRIPTION_ID,
    athlete,
    connect_through_browser,
    live,
    rows,
)

RUN = "running_short_fenix5.fit"
REST = "/wellness-api/rest"
# What the attacker wants stored: 72 h, 9,900 km, HR 900 and a script for a name.
FORGED_SUMMARY: dict[str, Any] = {  # JSON as Garmin pushes it
    "summaryId": "990001",
    "activityId": 990001,
    "activityName": "<script>alert(1)</script>",
    "activityType": "RUNNING",
    "startTimeInSeconds": 1_764_300_000,
    "durationInSeconds": 72 * 3600,
    "distanceInMeters": 9_900_000.0,
    "averageHeartRateInBeatsPerMinute": 900,
    "maxHeartRateInBeatsPerMinute": 900,
}


@pytest.fixture
async def attacker() -> AsyncIterator[FakeAttacker]:
    async with FakeAttacker(records=[FORGED_SUMMARY]) as server:
        yield server


async def connected(harness, browser, provider: str, title: str) -> tuple[int, ConnectedAccount]:
    user_id = await athlete(harness.container.db)
    await connect_through_browser(harness, browser, provider, title, user_id)
    [account] = await rows(harness, ConnectedAccount, ConnectedAccount.user_id == user_id)
    return user_id, account


async def post(harness, provider: str, body: bytes, headers: dict[str, str]) -> int:
    response = await harness.client.post(
        f"/webhooks/{provider}",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )
    await harness.jobs_done()
    return response.status_code


async def hourly_sweeps(harness, count: int = 2) -> None:
    """The hourly poll, long enough later that every pending event counts as stranded."""
    sync_tasks = harness.container.tasks.sync

    for _ in range(count):
        harness.container.clock.advance(timedelta(hours=1))
        await sync_tasks.poll_all.kiq()
        await harness.jobs_done()
        await harness.jobs_done()  # the sweep's own follow-up jobs


def token_of(harness, account: ConnectedAccount) -> str:
    return read_token(harness.container.cipher, account).access_token


# ----------------------------------------------------------------------------- Garmin


async def test_a_forged_garmin_ping_or_file_never_sends_the_token_elsewhere(
    harness, browser, fakes, attacker
):
    garmin = fakes["garmin"]
    garmin_user = garmin.add_user()
    user_id, account = await connected(harness, browser, "garmin", "Garmin")
    window = "uploadStartTimeInSeconds=1764300000&uploadEndTimeInSeconds=1764303600"
    forged = {
        "activities": [{"userId": garmin_user, "callbackURL": attacker.url(f"/x?{window}")}],
        "activityFiles": [
            {
                "userId": garmin_user,
                "summaryId": "990002",
                "fileType": "FIT",
                "callbackURL": attacker.url(f"{REST}/activityFile?id=1&token=t"),
            },
            {  # Garmin's host, but not a data endpoint: the user's registration
                "userId": garmin_user,
                "callbackURL": f"{garmin.api_base}{REST}/user/registration",
            },
        ],
    }
    status = await post(
        harness, "garmin", json.dumps(forged).encode(), {"garmin-client-id": garmin.client_id}
    )
    assert status == 200  # answered like any delivery
    await hourly_sweeps(harness)
    assert attacker.calls == [] and attacker.tokens_seen() == []
    assert garmin.calls_to(f"{REST}/user/registration") == []
    assert await rows(harness, WebhookEvent) == []  # dropped at the door
    assert await live(harness, user_id) == []
    assert (await rows(harness, ConnectedAccount))[0].status == "active"
    assert token_of(harness, account) in garmin.access_tokens


async def test_forged_events_stored_before_the_fix_are_rejected_once_and_never_retried(
    harness, browser, fakes, attacker
):
    """Events already in the database (stored by an older version) meet the worker's check."""
    sync_tasks = harness.container.tasks.sync

    garmin = fakes["garmin"]
    garmin_user = garmin.add_user()
    user_id, _account = await connected(harness, browser, "garmin", "Garmin")
    ping = ProviderEvent(
        "garmin",
        "garmin:activities:forged",
        "ping",
        garmin_user,
        updates={"callback_url": attacker.url(f"{REST}/activities"), "summary_type": "activities"},
    )
    summary = ProviderEvent(  # a pushed summary as the old version stored it: no mark
        "garmin",
        "garmin:activities:forged-summary",
        "create",
        garmin_user,
        FORGED_SUMMARY["summaryId"],
        activity_ref=ActivityRef("garmin", FORGED_SUMMARY["summaryId"], summary=FORGED_SUMMARY),
    )
    async with harness.container.db.unit_of_work() as session:
        ids = await store_webhook_events(
            session, harness.container.clock, "garmin", [ping, summary]
        )
    for event_id in ids:
        await sync_tasks.process_event.kiq(event_id, 0)
    await harness.jobs_done()
    await hourly_sweeps(harness)
    assert attacker.calls == []
    statuses = [(e.status, e.error or "") for e in await rows(harness, WebhookEvent)]
    assert [status for status, _ in statuses] == ["rejected", "rejected"]
    assert "API host" in statuses[0][1] and "does not list" in statuses[1][1]
    assert await live(harness, user_id) == []


async def test_a_forged_garmin_summary_is_pulled_from_garmin_and_stored_only_if_garmin_has_it(
    harness, browser, fakes, attacker
):
    garmin = fakes["garmin"]
    garmin_user = garmin.add_user()
    user_id, account = await connected(harness, browser, "garmin", "Garmin")
    forged = {"activities": [{"userId": garmin_user, **FORGED_SUMMARY}]}
    status = await post(
        harness, "garmin", json.dumps(forged).encode(), {"garmin-client-id": garmin.client_id}
    )
    assert status == 200
    await hourly_sweeps(harness)
    assert await live(harness, user_id) == []  # no 72 h, 9,900 km, HR 900 session
    [pull] = garmin.calls_to(f"{REST}/activities")  # asked Garmin once, not retried
    assert pull.headers["Authorization"] == f"Bearer {token_of(harness, account)}"
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "rejected" and "does not list" in (event.error or "")
    assert attacker.calls == []
    # A real manual update, which Garmin lists, is stored with Garmin's figures.
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=clock_now(harness))
    pushed = garmin.manually_updated_notification(record, activityName="Hill repeats")
    pushed["manuallyUpdatedActivities"][0]["distanceInMeters"] = 9_900_000.0  # tampered push
    await post(harness, "garmin", json.dumps(pushed).encode(), {"garmin-client-id": "x"})
    assert await live(harness, user_id) == []  # wrong client id: nothing stored either
    await post(
        harness, "garmin", json.dumps(pushed).encode(), {"garmin-client-id": garmin.client_id}
    )
    [activity] = await live(harness, user_id)
    assert (activity.name, activity.distance_m) == ("Hill repeats", 5000.0)


def clock_now(harness):
    return harness.container.clock.now() - timedelta(hours=1)


async def test_a_forged_garmin_deregistration_or_permission_change_leaves_the_account(
    harness, browser, fakes
):
    garmin = fakes["garmin"]
    garmin_user = garmin.add_user()
    user_id, _account = await connected(harness, browser, "garmin", "Garmin")
    record = garmin.add_activity(garmin_user, fixture_bytes(RUN), start=clock_now(harness))
    headers = {"garmin-client-id": garmin.client_id}
    await post(
        harness, "garmin", json.dumps(garmin.activity_files_notification(record)).encode(), headers
    )
    for forged in (
        garmin.deregistration_notification(garmin_user),
        garmin.permissions_notification(garmin_user, ["HEALTH_EXPORT"]),
    ):
        assert await post(harness, "garmin", json.dumps(forged).encode(), headers) == 200
    await hourly_sweeps(harness)
    [stored] = await rows(harness, ConnectedAccount)
    assert (stored.status, stored.sync_enabled) == ("active", True)
    assert token_of(harness, stored) in garmin.access_tokens  # Garmin still accepts it
    assert len(await live(harness, user_id)) == 1
    statuses = [e.status for e in await rows(harness, WebhookEvent)]
    assert statuses == ["done", "rejected", "rejected"]
    notes = await rows(harness, Notification, Notification.recipient_id == user_id)
    assert not [n for n in notes if n.payload.get("revoked")]


# ----------------------------------------------------------------------------- Strava


async def strava_with_history(harness, browser, strava) -> tuple[int, int, ConnectedAccount]:
    strava_id = strava.add_athlete()
    for hours in (30, 54):
        strava.add_activity(strava_id, start=harness.container.clock.now() - timedelta(hours=hours))
    user_id, account = await connected(harness, browser, "strava", "Strava")
    assert len(await live(harness, user_id)) == 2  # the backfill
    return strava_id, user_id, account


async def test_a_forged_strava_deauthorization_or_deletion_keeps_account_and_data(
    harness, browser, fakes
):
    strava = fakes["strava"]
    strava_id, user_id, _account = await strava_with_history(harness, browser, strava)
    [kept, _] = await live(harness, user_id)
    subscription = int(STRAVA_SUBSCRIPTION_ID)  # the attacker found or guessed it
    for forged in (
        strava.build_event(
            object_type="athlete",
            object_id=strava_id,
            aspect_type="update",
            owner_id=strava_id,
            updates={"authorized": "false"},
            subscription_id=subscription,
        ),
        strava.build_event(
            object_type="activity",
            object_id=int(kept.source_id),
            aspect_type="delete",
            owner_id=strava_id,
            subscription_id=subscription,
        ),
    ):
        assert await post(harness, "strava", json.dumps(forged).encode(), {}) == 200
    await hourly_sweeps(harness)
    [stored] = await rows(harness, ConnectedAccount)
    assert (stored.status, stored.sync_enabled) == ("active", True)
    assert token_of(harness, stored) in strava.access_tokens  # Strava still accepts it
    assert len(await live(harness, user_id)) == 2
    assert [e.status for e in await rows(harness, WebhookEvent)] == ["rejected", "rejected"]


async def test_a_real_strava_deauthorization_deletes_strava_data_and_tells_the_athlete(
    harness, browser, fakes
):
    strava = fakes["strava"]
    strava_id, user_id, _account = await strava_with_history(harness, browser, strava)
    strava.revoke(strava_id)  # the athlete removed Trainlytics on strava.com
    deauthorize = strava.build_event(
        object_type="athlete",
        object_id=strava_id,
        aspect_type="update",
        owner_id=strava_id,
        updates={"authorized": "false"},
        subscription_id=int(STRAVA_SUBSCRIPTION_ID),
    )
    status = await post(harness, "strava", json.dumps(deauthorize).encode(), {})
    assert status == 200
    [stored] = await rows(harness, ConnectedAccount)
    assert stored.status == "revoked"
    assert await live(harness, user_id) == []
    assert all(a.raw is None and a.name is None for a in await rows(harness, Activity))
    notes = [
        n.payload for n in await rows(harness, Notification, Notification.recipient_id == user_id)
    ]
    [deleted] = [p for p in notes if "data_deleted" in p]
    assert deleted["data_deleted"] == 2
    assert not [p for p in notes if p.get("change") == "deleted"]  # one message, not one each
    for locale, words in (("en", "2 activities imported from Strava"), ("fr", "les 2 activités")):
        text = render_notification(
            NotificationView(read_payload(NotificationKind.SYNC_STATUS, deleted), locale, "metric")
        )
        assert words in text.plain and "/connect strava" in text.plain


# ----------------------------------------------------------------------------- Polar, COROS


async def test_a_signed_polar_event_naming_another_host_is_fetched_from_polar_by_id(
    harness, browser, fakes, attacker
):
    """Even with the signing secret, the event's `url` is not followed."""
    import hashlib
    import hmac

    polar = fakes["polar"]
    polar_user = polar.add_user()
    user_id, _ = await connected(harness, browser, "polar", "Polar")
    now = harness.container.clock.now()
    exercise = polar.add_exercise(
        polar_user, fixture_bytes(RUN), start_utc=now - timedelta(hours=1), uploaded=now
    )
    event = json.loads(polar.exercise_event(polar_user, exercise))
    event["url"] = attacker.url(f"/v3/exercises/{exercise}")
    body = json.dumps(event).encode()
    signature = hmac.new(POLAR_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert await post(harness, "polar", body, {"Polar-Webhook-Signature": signature}) == 200
    assert attacker.calls == []
    [activity] = await live(harness, user_id)
    assert activity.source_id == exercise
    assert polar.calls_to(f"/v3/exercises/{exercise}/fit")


async def test_a_coros_push_naming_another_host_gets_its_file_link_from_coros(
    harness, browser, fakes, attacker
):
    coros = fakes["coros"]
    open_id = coros.add_user()
    user_id, _ = await connected(harness, browser, "coros", "COROS")
    workout = coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    body = coros.push_body({**workout, "fitUrl": attacker.url("/fit/stolen.fit")})
    headers = {"client": coros.client_id, "secret": coros.client_secret}
    assert await post(harness, "coros", body, headers) == 200
    assert attacker.calls == []
    [activity] = await live(harness, user_id)
    assert activity.source_id == str(workout["labelId"])
    assert coros.calls_to("/v2/coros/sport/detail/fit")
