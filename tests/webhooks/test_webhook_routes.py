"""The webhook endpoints: authenticated deliveries are stored once and processed; others are
stored nowhere and answered exactly like accepted ones, so the answer reveals nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import func, select

from core.clock import FixedClock
from core.db.models import Activity, WebhookEvent
from tests.sync.sync_harness import (
    POLAR_SECRET,
    STRAVA_SUBSCRIPTION_ID,
    STRAVA_VERIFY_TOKEN,
    athlete,
    code_by_redirect,
    connect,
)


async def stored_events(db) -> int:
    async with db.unit_of_work() as session:
        return await session.scalar(select(func.count()).select_from(WebhookEvent))


async def test_strava_challenge_is_answered_only_with_our_verify_token(harness):
    query = {"hub.mode": "subscribe", "hub.challenge": "abc123"}
    ok = await harness.client.get(
        "/webhooks/strava", params={**query, "hub.verify_token": STRAVA_VERIFY_TOKEN}
    )
    assert ok.status_code == 200 and ok.json() == {"hub.challenge": "abc123"}
    wrong = await harness.client.get(
        "/webhooks/strava", params={**query, "hub.verify_token": "guess"}
    )
    assert wrong.status_code == 403


async def test_strava_event_is_stored_once_processed_and_redelivery_is_a_no_op(
    harness, fakes, db, http_client
):
    strava = fakes["strava"]
    ctx = harness.container.sync
    strava_id = strava.add_athlete()
    user_id = await athlete(db)
    await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http_client, url))
    activity_id = strava.add_activity(strava_id, start=ctx.clock.now() + timedelta(minutes=3))
    event = strava.build_event(
        object_type="activity",
        object_id=activity_id,
        aspect_type="create",
        owner_id=strava_id,
        subscription_id=int(STRAVA_SUBSCRIPTION_ID),
    )
    for _ in range(5):
        response = await harness.client.post("/webhooks/strava", json=event)
        assert response.status_code == 200
    await harness.jobs_done()
    assert await stored_events(db) == 1
    async with db.unit_of_work() as session:
        [activity] = list(await session.scalars(select(Activity)))
        [row] = list(await session.scalars(select(WebhookEvent)))
    assert activity.source_id == str(activity_id)
    assert row.status == "done"


async def test_a_wrong_strava_subscription_id_gets_the_answer_of_the_right_one(harness, fakes):
    """The id cannot be found by trying: right and wrong ids get the same answer."""

    def event(subscription_id: int) -> dict:
        return fakes["strava"].build_event(
            object_type="activity",
            object_id=1,
            aspect_type="create",
            owner_id=2,
            subscription_id=subscription_id,
        )

    right = await harness.client.post("/webhooks/strava", json=event(int(STRAVA_SUBSCRIPTION_ID)))
    assert await stored_events(harness.container.db) == 1
    for guess in (999, int(STRAVA_SUBSCRIPTION_ID) + 1):
        wrong = await harness.client.post("/webhooks/strava", json=event(guess))
        assert (wrong.status_code, wrong.content) == (right.status_code, right.content)
    assert (right.status_code, right.content) == (200, b"")
    assert await stored_events(harness.container.db) == 1


async def test_malformed_json_is_answered_like_any_delivery_and_stores_nothing(harness):
    response = await harness.client.post(
        "/webhooks/strava", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.content) == (200, b"")
    assert await stored_events(harness.container.db) == 0


async def test_polar_checks_the_hmac_over_the_raw_body(harness, fakes):
    polar = fakes["polar"]
    body = json.dumps(
        {
            "event": "EXERCISE",
            "user_id": 475,
            "entity_id": "aQlC83",
            "timestamp": "2026-11-28T10:00:00Z",
        }
    ).encode()
    good = hmac.new(POLAR_SECRET.encode(), body, hashlib.sha256).hexdigest()
    for headers in (
        {},
        {"Polar-Webhook-Signature": "00" * 32},
        {"Polar-Webhook-Signature": hmac.new(b"other", body, hashlib.sha256).hexdigest()},
    ):
        response = await harness.client.post("/webhooks/polar", content=body, headers=headers)
        assert (response.status_code, response.content) == (200, b"")
    assert await stored_events(harness.container.db) == 0
    signed = await harness.client.post(
        "/webhooks/polar", content=body, headers={"Polar-Webhook-Signature": good}
    )
    assert signed.status_code == 200
    assert await stored_events(harness.container.db) == 1
    assert polar.client_id  # the fake is configured as a provider


async def test_polar_creation_ping_gets_200_and_stores_nothing(harness):
    response = await harness.client.post(
        "/webhooks/polar", json={"event": "PING", "timestamp": "2026-11-28"}
    )
    assert response.status_code == 200
    assert await stored_events(harness.container.db) == 0


async def test_garmin_needs_its_client_id_header(harness, fakes):
    garmin = fakes["garmin"]
    body = garmin.deregistration_notification("some-user")
    refused = await harness.client.post("/webhooks/garmin", json=body)
    assert refused.status_code == 200
    wrong = await harness.client.post(
        "/webhooks/garmin", json=body, headers={"garmin-client-id": "someone-else"}
    )
    assert wrong.status_code == 200
    assert await stored_events(harness.container.db) == 0
    accepted = await harness.client.post(
        "/webhooks/garmin", json=body, headers={"garmin-client-id": garmin.client_id}
    )
    assert accepted.status_code == 200
    assert await stored_events(harness.container.db) == 1


async def test_coros_needs_its_client_and_secret_headers_and_gets_its_ack(harness, fakes):
    coros = fakes["coros"]
    body = json.dumps(
        {
            "sportDataList": [
                {"labelId": "4711", "openId": "o-1", "mode": 8, "startTime": 1764324000}
            ]
        }
    ).encode()
    refused = await harness.client.post(
        "/webhooks/coros", content=body, headers={"client": coros.client_id, "secret": "nope"}
    )
    assert (refused.status_code, refused.json()) == (200, {"result": "0000", "message": "ok"})
    assert await stored_events(harness.container.db) == 0
    accepted = await harness.client.post(
        "/webhooks/coros",
        content=body,
        headers={"client": coros.client_id, "secret": coros.client_secret},
    )
    assert accepted.status_code == 200
    assert accepted.json() == {"result": "0000", "message": "ok"}
    assert await stored_events(harness.container.db) == 1


async def test_unknown_provider_is_404(harness):
    response = await harness.client.post("/webhooks/fitbit", json={})
    assert response.status_code == 404


async def test_event_whose_enqueue_failed_is_acknowledged_and_queued_again_by_the_sweep(
    harness, fakes, db, http_client, monkeypatch
):
    sync_tasks = harness.container.tasks.sync

    strava = fakes["strava"]
    ctx = harness.container.sync
    strava_id = strava.add_athlete()
    user_id = await athlete(db)
    await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http_client, url))
    activity_id = strava.add_activity(strava_id, start=ctx.clock.now() + timedelta(minutes=3))
    event = strava.build_event(
        object_type="activity",
        object_id=activity_id,
        aspect_type="create",
        owner_id=strava_id,
        subscription_id=int(STRAVA_SUBSCRIPTION_ID),
    )

    async def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(sync_tasks.process_event, "kiq", broker_down)
    response = await harness.client.post("/webhooks/strava", json=event)
    assert response.status_code == 200  # stored, so Strava must not redeliver it
    monkeypatch.undo()

    async def event_status() -> str:
        async with db.unit_of_work() as session:
            [row] = list(await session.scalars(select(WebhookEvent)))
            return row.status

    await sync_tasks.sweep.kiq()
    await harness.jobs_done()
    assert await event_status() == "pending"  # too recent to be called stranded

    assert isinstance(ctx.clock, FixedClock), "the harness runs the sync on the test's clock"
    ctx.clock.advance(timedelta(minutes=20))
    await sync_tasks.sweep.kiq()
    await harness.jobs_done()
    await harness.jobs_done()  # the sweep's own follow-up jobs
    assert await event_status() == "done"
    async with db.unit_of_work() as session:
        [activity] = list(await session.scalars(select(Activity)))
    assert activity.source_id == str(activity_id)
