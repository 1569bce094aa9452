"""Polar AccessLink end to end through the real routes: connect (with user registration),
history import, signed EXERCISE webhooks and their replays, refused tokens, 429, disconnect.

Polar sends only EXERCISE notifications (providers.md §3.4): there is no update, delete or
deauthorization event, and no refresh token (§3.1). An edited exercise is announced again
as EXERCISE (handled like a create, which updates the stored one); a revoked authorization
shows as a 401 on the next call, which disables the account.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from core.activities.streams_store import load_streams
from core.db.models import ConnectedAccount, WebhookEvent
from core.enums import NotificationKind
from core.sync import orchestrator
from core.sync.connections.disconnects import disconnect
from core.sync.connections.stored_tokens import read_token
from tests.fakes.providers.polar import FakePolar
from tests.sync.conftest import fixture_bytes
from tests.sync.sync_harness import (
    POLAR_SECRET,
    PUBLIC_URL,
    AppHarness,
    account_now,
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
async def polar(clock) -> AsyncIterator[FakePolar]:
    async with FakePolar(clock=clock.now) as fake:
        # The webhook was created once at set-up; its secret is TRAINLYTICS_POLAR_WEBHOOK_SECRET.
        fake.webhook = {
            "id": "wh1",
            "events": ["EXERCISE"],
            "url": f"{PUBLIC_URL}/webhooks/polar",
            "signature_secret_key": POLAR_SECRET,
        }
        yield fake


@pytest.fixture
async def harness(db, clock, tmp_path, polar) -> AsyncIterator[AppHarness]:
    container = build_container(settings_for(tmp_path, polar=polar), clock=clock, db=db)
    async with AppHarness(container) as running:
        yield running


async def connect_in_browser(harness, browser, polar, polar_user: int | None = None):
    """Bot link -> /connect/polar -> Polar consent -> /oauth/polar/callback (+ backfill)."""
    polar_user = polar_user if polar_user is not None else polar.add_user()
    user_id = await athlete(harness.container.db)
    await connect_through_browser(harness, browser, "polar", "Polar", user_id)
    [account] = await rows(harness, ConnectedAccount, ConnectedAccount.user_id == user_id)
    return polar_user, user_id, account


async def send(harness, body: bytes, *, signature: str | None = None) -> int:
    signature = signature if signature is not None else harness_sign(body)
    response = await harness.client.post(
        "/webhooks/polar",
        content=body,
        headers={"Content-Type": "application/json", "Polar-Webhook-Signature": signature},
    )
    await harness.jobs_done()
    return response.status_code


def harness_sign(body: bytes) -> str:
    import hashlib
    import hmac

    return hmac.new(POLAR_SECRET.encode(), body, hashlib.sha256).hexdigest()


def new_exercise(polar, harness, polar_user: int, fit: str = RUN, *, hours_ago: float = 1) -> str:
    now = harness.container.clock.now()
    return polar.add_exercise(
        polar_user,
        fixture_bytes(fit),
        start_utc=now - timedelta(hours=hours_ago),
        uploaded=now + timedelta(seconds=5),
    )


async def test_connect_registers_the_user_and_stores_the_token_encrypted(harness, browser, polar):
    polar_user, _user_id, account = await connect_in_browser(harness, browser, polar)
    assert polar.users[polar_user].registered_at is not None
    assert polar.users[polar_user].member_id  # POST /v3/users right after the exchange
    assert account.provider_user_id == str(polar_user)
    token = read_token(harness.container.cipher, account)
    assert polar.tokens[token.access_token] == polar_user
    assert token.access_token not in account.access_token_enc
    assert account.refresh_token_enc is None  # Polar issues none
    [exchange] = polar.calls_to("/v2/oauth2/token")
    assert exchange.headers["Authorization"].startswith("Basic ")


async def test_history_is_imported_oldest_first_and_quietly(harness, browser, polar):
    polar_user = polar.add_user()
    now = harness.container.clock.now()
    # Sessions the watch synced just after registration, in no particular order, and one
    # uploaded before registration, which Polar never offers.
    for days_ago in (2, 9, 5):
        polar.add_exercise(
            polar_user,
            fixture_bytes(RUN),
            start_utc=now - timedelta(days=days_ago),
            uploaded=now + timedelta(seconds=days_ago),
        )
    polar.add_exercise(
        polar_user,
        fixture_bytes(RIDE),
        start_utc=now - timedelta(days=20),
        uploaded=now - timedelta(days=19),
    )
    _, user_id, account = await connect_in_browser(harness, browser, polar, polar_user)
    stored = await live(harness, user_id)
    assert len(stored) == 3 and {a.sport for a in stored} == {"run"}
    fetch_order = [
        c.path.split("/")[3]
        for c in polar.calls_to("/v3/exercises/")
        if not c.path.endswith("/fit")
    ]
    by_start = sorted(polar.users[polar_user].exercises[:3], key=lambda e: e["start_time"])
    assert fetch_order == [e["id"] for e in by_start]  # oldest first
    assert {n.kind for n in await notes(harness, user_id)} == {NotificationKind.SYNC_STATUS}
    assert (await account_now(harness, account.id)).backfill["status"] == "done"


async def test_a_signed_exercise_event_gives_one_activity_with_streams_and_replays_nothing(
    harness, browser, polar
):
    polar_user, user_id, _ = await connect_in_browser(harness, browser, polar)
    exercise = new_exercise(polar, harness, polar_user)
    harness.container.clock.advance(timedelta(minutes=1))
    body = polar.exercise_event(polar_user, exercise)
    assert polar.sign(body) == harness_sign(body)
    assert await send(harness, body) == 200
    [activity] = await live(harness, user_id)
    assert (activity.source, activity.source_id, activity.sport) == ("polar", exercise, "run")
    async with harness.container.db.unit_of_work() as session:
        streams = await load_streams(session, activity.id)
    assert streams is not None and streams.heart_rate is not None
    for _ in range(3):
        assert await send(harness, body) == 200
    assert len(await rows(harness, WebhookEvent)) == 1
    assert [a.id for a in await live(harness, user_id)] == [activity.id]


async def test_unsigned_or_badly_signed_events_are_refused(harness, browser, polar):
    polar_user, user_id, _ = await connect_in_browser(harness, browser, polar)
    body = polar.exercise_event(polar_user, new_exercise(polar, harness, polar_user))
    # Answered like an accepted delivery (the answer tells a guesser nothing), not stored.
    assert await send(harness, body, signature="0" * 64) == 200
    response = await harness.client.post("/webhooks/polar", content=body)
    assert response.status_code == 200
    assert await rows(harness, WebhookEvent) == [] and await live(harness, user_id) == []


async def test_a_second_notice_of_the_same_exercise_keeps_one_activity(harness, browser, polar):
    """Polar may notify an exercise again (edited in Flow): same id, a later timestamp."""
    polar_user, user_id, _ = await connect_in_browser(harness, browser, polar)
    exercise = new_exercise(polar, harness, polar_user)
    await send(harness, polar.exercise_event(polar_user, exercise))
    harness.container.clock.advance(timedelta(minutes=30))
    await send(harness, polar.exercise_event(polar_user, exercise))
    assert len(await rows(harness, WebhookEvent)) == 2
    assert len(await live(harness, user_id)) == 1


async def test_an_event_for_an_athlete_not_connected_is_ignored(harness, polar):
    stranger = polar.add_user()
    body = polar.exercise_event(stranger, "abc123")
    assert await send(harness, body) == 200
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "ignored"


async def test_a_refused_token_disables_the_account_and_tells_how_to_reconnect(
    harness, browser, polar
):
    """Polar tokens do not expire and cannot be refreshed: a 401 needs a new connect."""
    polar_user, user_id, account = await connect_in_browser(harness, browser, polar)
    exercise = new_exercise(polar, harness, polar_user)
    polar.revoke(polar_user)
    await send(harness, polar.exercise_event(polar_user, exercise))
    stored = await account_now(harness, account.id)
    assert (stored.status, stored.sync_enabled) == ("revoked", False)
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "failed"
    told = [n.payload for n in await notes(harness, user_id) if n.payload.get("revoked")]
    assert len(told) == 1 and told[0]["reconnect_command"] == "/connect polar"
    assert polar.calls_to("/v2/oauth2/token")[-1].body.count(b"refresh_token") == 0


async def test_missing_consents_403_disables_the_account(harness, browser, polar):
    polar_user, _user_id, account = await connect_in_browser(harness, browser, polar)
    exercise = new_exercise(polar, harness, polar_user)
    polar.fail_next(
        f"/v3/exercises/{exercise}",
        403,
        body={"status": 403, "message": "User has not accepted all consents"},
    )
    await send(harness, polar.exercise_event(polar_user, exercise))
    assert (await account_now(harness, account.id)).status == "revoked"


async def test_a_429_defers_the_event_and_the_athlete_hears_once(harness, browser, polar):
    polar_user, user_id, account = await connect_in_browser(harness, browser, polar)
    exercise = new_exercise(polar, harness, polar_user)
    polar.fail_next(f"/v3/exercises/{exercise}", 429, count=2, headers={"Retry-After": "60"})
    await send(harness, polar.exercise_event(polar_user, exercise))
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "pending" and "429" in (event.error or "")
    ctx = harness.container.sync
    again = await orchestrator.process_event(ctx, event.id, attempt=1)
    assert not again.finished and again.retry_at is not None
    assert len([n for n in await notes(harness, user_id) if n.payload.get("delayed")]) == 1
    assert (await orchestrator.process_event(ctx, event.id, attempt=2)).finished
    assert len(await live(harness, user_id)) == 1
    assert not (await account_now(harness, account.id)).delayed_notice_sent


async def test_disconnecting_deregisters_at_polar_and_later_events_are_ignored(
    harness, browser, polar
):
    polar_user, user_id, account = await connect_in_browser(harness, browser, polar)
    ctx = harness.container.sync
    await disconnect(ctx, user_id, "polar")
    assert polar.users[polar_user].registered_at is None  # DELETE /v3/users/{id}
    stored = await account_now(harness, account.id)
    assert stored.status != "active" and not stored.sync_enabled
    body = json.dumps(
        {
            "event": "EXERCISE",
            "user_id": polar_user,
            "entity_id": "zz",
            "timestamp": "2026-11-28T10:00:00Z",
        }
    ).encode()
    assert await send(harness, body) == 200
    assert (await rows(harness, WebhookEvent))[-1].status == "ignored"
