"""COROS end to end through the real routes: connect, history import, workout pushes with the
client/secret headers and their replays, token refresh, revoked grants, rate limits,
disconnect.

COROS pushes finished workouts only (providers.md §4.3): there is no update, delete or
deauthorization callback. A workout pushed again with other content is recorded again
(the same activity, updated); a grant revoked at COROS shows as result 5006 that a refresh
cannot fix, which disables the account.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from core.activities.streams_store import load_streams
from core.db.models import ConnectedAccount, WebhookEvent
from core.enums import NotificationKind
from core.sync import orchestrator
from core.sync.connections.disconnects import disconnect
from core.sync.connections.stored_tokens import read_token
from core.sync.providers.coros import WEBHOOK_ACK
from tests.fakes.providers.coros import FakeCoros
from tests.sync.conftest import fixture_bytes
from tests.sync.sync_harness import (
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


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def coros(clock) -> AsyncIterator[FakeCoros]:
    async with FakeCoros(clock=clock.now) as fake:
        yield fake


@pytest.fixture
async def harness(db, clock, tmp_path, coros) -> AsyncIterator[AppHarness]:
    container = build_container(settings_for(tmp_path, coros=coros), clock=clock, db=db)
    async with AppHarness(container) as running:
        yield running


async def connect_in_browser(harness, browser, coros, open_id: str | None = None):
    """Bot link -> /connect/coros -> COROS consent -> /oauth/coros/callback (+ backfill)."""
    open_id = open_id or coros.add_user()
    user_id = await athlete(harness.container.db)
    await connect_through_browser(harness, browser, "coros", "COROS", user_id)
    [account] = await rows(harness, ConnectedAccount, ConnectedAccount.user_id == user_id)
    return open_id, user_id, account


async def push(harness, coros, body: bytes, *, secret: str | None = None) -> httpx.Response:
    headers = {
        "Content-Type": "application/json",
        "client": coros.client_id,
        "secret": secret or coros.client_secret,
    }
    response = await harness.client.post("/webhooks/coros", content=body, headers=headers)
    await harness.jobs_done()
    return response


async def test_connect_stores_the_tokens_encrypted(harness, browser, coros):
    open_id, _, account = await connect_in_browser(harness, browser, coros)
    assert account.provider_user_id == open_id
    token = read_token(harness.container.cipher, account)
    assert coros.access_tokens[token.access_token][0] == open_id
    assert coros.refresh_tokens[token.refresh_token] == open_id
    assert token.access_token not in account.access_token_enc
    assert token.refresh_token not in (account.refresh_token_enc or "")


async def test_history_is_imported_oldest_first_and_quietly(harness, browser, coros):
    open_id = coros.add_user()
    now = harness.container.clock.now()
    labels = {
        days: coros.add_workout(open_id, fixture_bytes(RUN), start=now - timedelta(days=days))[
            "labelId"
        ]
        for days in (5, 70, 40, 200)
    }  # 200 days is older than the 90-day backfill
    _, user_id, account = await connect_in_browser(harness, browser, coros)
    stored = await live(harness, user_id)
    assert sorted(a.source_id for a in stored) == sorted(labels[d] for d in (5, 70, 40))
    downloads = [c.path.removeprefix("/fit/").removesuffix(".fit") for c in coros.calls_to("/fit/")]
    assert downloads == [labels[70], labels[40], labels[5]]  # oldest first
    assert len(coros.calls_to("/v2/coros/sport/list")) == 4  # ≤30-day ranges over 90 days
    assert {n.kind for n in await notes(harness, user_id)} == {NotificationKind.SYNC_STATUS}
    assert (await account_now(harness, account.id)).backfill["status"] == "done"


async def test_a_pushed_workout_gives_one_activity_with_streams_and_a_replay_nothing(
    harness, browser, coros
):
    open_id, user_id, _ = await connect_in_browser(harness, browser, coros)
    workout = coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    body = coros.push_body(workout)
    response = await push(harness, coros, body)
    assert response.status_code == 200 and response.json() == WEBHOOK_ACK
    [activity] = await live(harness, user_id)
    assert (activity.source, activity.source_id, activity.sport) == (
        "coros",
        workout["labelId"],
        "run",
    )
    async with harness.container.db.unit_of_work() as session:
        streams = await load_streams(session, activity.id)
    assert streams is not None and streams.heart_rate is not None
    for _ in range(3):
        assert (await push(harness, coros, body)).json() == WEBHOOK_ACK
    assert len(await rows(harness, WebhookEvent)) == 1
    assert [a.id for a in await live(harness, user_id)] == [activity.id]


async def test_pushes_without_our_credentials_are_refused_but_probes_are_answered(
    harness, browser, coros
):
    open_id, user_id, _ = await connect_in_browser(harness, browser, coros)
    body = coros.push_body(
        coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    )
    # Refused deliveries get COROS's usual ack, like accepted ones: the answer tells a
    # guesser nothing. Nothing is stored.
    guessed = await push(harness, coros, body, secret="guess")
    assert (guessed.status_code, guessed.json()) == (200, WEBHOOK_ACK)
    unsigned = await harness.client.post("/webhooks/coros", content=body)
    assert (unsigned.status_code, unsigned.json()) == (200, WEBHOOK_ACK)
    probe = await harness.client.post("/webhooks/coros", content=b"")
    assert probe.status_code == 200 and probe.json() == WEBHOOK_ACK
    assert await rows(harness, WebhookEvent) == [] and await live(harness, user_id) == []


async def test_a_workout_pushed_again_with_new_content_stays_one_activity(harness, browser, coros):
    open_id, user_id, _ = await connect_in_browser(harness, browser, coros)
    workout = coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    await push(harness, coros, coros.push_body(workout))
    again = {**workout, "distance": 8100.0, "fitUrl": coros._fit_url(workout["labelId"])}
    await push(harness, coros, coros.push_body(again))
    assert len(await rows(harness, WebhookEvent)) == 2
    assert len(await live(harness, user_id)) == 1


async def test_an_expired_token_is_extended_by_a_refresh_that_keeps_the_pair(
    harness, browser, coros
):
    open_id, user_id, account = await connect_in_browser(harness, browser, coros)
    old = read_token(harness.container.cipher, account)
    workout = coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    coros.expire_access_tokens(open_id)
    coros.expire_fit_urls()  # the pushed link lapsed: a fresh one needs the token
    await push(harness, coros, coros.push_body(workout))
    assert len(await live(harness, user_id)) == 1
    assert coros.calls_to("/oauth2/refresh-token")
    new = read_token(harness.container.cipher, await account_now(harness, account.id))
    # COROS extends the access token and keeps the refresh token (no rotation)
    assert (new.access_token, new.refresh_token) == (old.access_token, old.refresh_token)
    assert new.expires_at > harness.container.clock.now() + timedelta(days=29)


async def test_a_revoked_grant_disables_the_account_and_tells_how_to_reconnect(
    harness, browser, coros
):
    open_id, user_id, account = await connect_in_browser(harness, browser, coros)
    workout = coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    coros.revoke(open_id)
    coros.expire_fit_urls()
    await push(harness, coros, coros.push_body(workout))
    stored = await account_now(harness, account.id)
    assert (stored.status, stored.sync_enabled) == ("revoked", False)
    [event] = await rows(harness, WebhookEvent)
    assert event.status == "failed"
    told = [n.payload for n in await notes(harness, user_id) if n.payload.get("revoked")]
    assert len(told) == 1 and told[0]["reconnect_command"] == "/connect coros"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 429, "body": {"result": "429", "message": "too many requests"}},
        {"status": 200, "body": {"result": "5016", "message": "try again later"}},
    ],
    ids=["http-429", "result-5016"],
)
async def test_a_rate_limited_backfill_is_deferred_and_the_athlete_hears_once(
    harness, browser, coros, answer
):
    open_id = coros.add_user()
    now = harness.container.clock.now()
    for days in (3, 12):
        coros.add_workout(open_id, fixture_bytes(RUN), start=now - timedelta(days=days))
    coros.fail_next("/v2/coros/sport/list", answer["status"], count=2, body=answer["body"])
    _, user_id, account = await connect_in_browser(harness, browser, coros)
    assert (await account_now(harness, account.id)).backfill["status"] != "done"
    assert await live(harness, user_id) == []
    ctx = harness.container.sync
    again = await orchestrator.backfill_step(ctx, account.id, attempt=1)  # the deferred retry
    assert not again.finished and again.retry_at is not None
    assert len([n for n in await notes(harness, user_id) if n.payload.get("delayed")]) == 1
    assert (await orchestrator.backfill_step(ctx, account.id, attempt=2)).finished
    assert len(await live(harness, user_id)) == 2


async def test_disconnecting_revokes_at_coros_and_later_pushes_are_ignored(harness, browser, coros):
    open_id, user_id, account = await connect_in_browser(harness, browser, coros)
    token = read_token(harness.container.cipher, account)
    await disconnect(harness.container.sync, user_id, "coros")
    assert token.access_token not in coros.access_tokens  # POST /oauth2/deauthorize
    stored = await account_now(harness, account.id)
    assert stored.status != "active" and not stored.sync_enabled
    workout = coros.add_workout(open_id, fixture_bytes(RUN), start=harness.container.clock.now())
    assert (await push(harness, coros, coros.push_body(workout))).json() == WEBHOOK_ACK
    assert (await rows(harness, WebhookEvent))[-1].status == "ignored"
    assert await live(harness, user_id) == []
