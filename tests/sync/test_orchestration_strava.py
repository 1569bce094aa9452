"""Strava end to end against the fake: connect, backfill, webhooks, refresh, 429, revocation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from core.db.models import Activity, ConnectedAccount, Notification, SyncLog, WebhookEvent
from core.enums import NotificationKind
from core.sync.connections.stored_tokens import fresh_token, read_token
from core.sync.orchestrator.backfill import backfill_step
from core.sync.orchestrator.webhook_events import process_event, store_webhook_events
from tests.fakes.providers.strava import FakeStrava, Limits
from tests.sync.sync_harness import (
    athlete,
    code_by_redirect,
    connect,
    make_context,
    now_clock,
    provider_settings,
)


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def fake(clock) -> AsyncIterator[FakeStrava]:
    async with FakeStrava(clock=clock.now) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def ctx(db, clock, http, fake):
    return make_context(db, clock, http, provider_settings(strava=fake))


async def connected(ctx, fake, http, *, history: int = 0):
    strava_id = fake.add_athlete()
    for day in range(history, 0, -1):
        fake.add_activity(
            strava_id,
            start=ctx.clock.now() - timedelta(days=day, hours=2),
            name=f"Run {day} days ago",
        )
    user_id = await athlete(ctx.db)
    account = await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http, url))
    return strava_id, user_id, account


async def deliver(ctx, fake, event: dict) -> list[int]:
    import json

    provider = ctx.provider("strava")
    raw = json.dumps(event).encode()
    provider.verify_webhook({}, raw, {})
    async with ctx.db.unit_of_work() as session:
        return await store_webhook_events(session, ctx.clock, "strava", provider.parse_webhook(raw))


async def rows(ctx, model, *where):
    async with ctx.db.unit_of_work() as session:
        return list(await session.scalars(select(model).where(*where)))


def subscribe(fake: FakeStrava) -> None:
    fake.subscriptions.append({"id": 120475, "callback_url": "https://trainlytics.test/"})


async def test_connect_stores_encrypted_tokens_and_a_pending_backfill(ctx, fake, http):
    strava_id, user_id, account = await connected(ctx, fake, http)
    assert account.provider_user_id == str(strava_id)
    assert account.user_id == user_id
    token = read_token(ctx.cipher, account)
    assert token.access_token in fake.access_tokens
    assert token.access_token not in account.access_token_enc
    assert account.backfill["status"] == "pending"


async def test_backfill_imports_history_oldest_first_quietly_with_an_edited_progress_message(
    ctx, fake, http
):
    _, user_id, account = await connected(ctx, fake, http, history=23)
    result = await backfill_step(ctx, account.id)
    assert result.finished and result.imported == 23
    activities = sorted(await rows(ctx, Activity, Activity.user_id == user_id), key=lambda a: a.id)
    starts = [a.start_utc for a in activities]
    assert starts == sorted(starts)  # oldest first
    notes = await rows(ctx, Notification, Notification.recipient_id == user_id)
    assert {n.kind for n in notes} == {NotificationKind.SYNC_STATUS}  # no check-in flood
    progress = [n.payload for n in notes if n.payload.get("progress_of") == account.id]
    assert progress[0]["done"] == 0 and progress[0]["total"] == 23
    assert progress[-1] == {**progress[-1], "done": 23, "total": 23, "finished": True}
    assert 3 <= len(progress) <= 12  # edited as it goes, not one message per activity
    async with ctx.db.unit_of_work() as session:
        stored = await session.get(ConnectedAccount, account.id)
        assert stored.backfill["status"] == "done"
        assert stored.last_sync_at is not None
    assert (await rows(ctx, SyncLog, SyncLog.account_id == account.id))[-1].fetched == 23


async def test_a_failure_mid_backfill_is_resumed_without_duplicates_or_gaps(ctx, fake, http):
    strava_id, user_id, account = await connected(ctx, fake, http, history=10)
    sixth = sorted(fake.athletes[strava_id].activities, key=lambda a: a["start_date"])[5]
    fake.fail_next(f"/api/v3/activities/{sixth['id']}", 503, count=1)
    first = await backfill_step(ctx, account.id)
    assert not first.finished and first.retry_at is not None
    assert len(await rows(ctx, Activity, Activity.user_id == user_id)) == 5
    second = await backfill_step(ctx, account.id, attempt=1)
    assert second.finished
    stored = await rows(ctx, Activity, Activity.user_id == user_id)
    expected = {str(a["id"]) for a in fake.athletes[strava_id].activities}
    assert sorted(a.source_id for a in stored) == sorted(expected)
    # each of the first five was fetched once: the rerun resumed after them
    first_five = sorted(fake.athletes[strava_id].activities, key=lambda a: a["start_date"])[:5]
    for summary in first_five:
        assert len([c for c in fake.calls if c.path == f"/api/v3/activities/{summary['id']}"]) == 1


async def test_webhook_create_update_delete_reach_the_stored_activity(ctx, fake, http):
    strava_id, user_id, account = await connected(ctx, fake, http)
    await backfill_step(ctx, account.id)
    subscribe(fake)
    activity_id = fake.add_activity(
        strava_id, start=ctx.clock.now() + timedelta(minutes=5), name="Lunch Run"
    )
    ctx.clock.advance(timedelta(hours=1))
    create = fake.build_event(
        object_type="activity", object_id=activity_id, aspect_type="create", owner_id=strava_id
    )
    for event_id in await deliver(ctx, fake, create):
        assert (await process_event(ctx, event_id)).finished
    [stored] = await rows(ctx, Activity, Activity.user_id == user_id)
    assert stored.name == "Lunch Run"
    kinds = {n.kind for n in await rows(ctx, Notification, Notification.recipient_id == user_id)}
    assert NotificationKind.CHECK_IN in kinds  # a new session is announced

    fake.change_activity(strava_id, activity_id, name="Tempo run", sport_type="Ride", type="Ride")
    update = fake.build_event(
        object_type="activity",
        object_id=activity_id,
        aspect_type="update",
        owner_id=strava_id,
        updates={"title": "Tempo run", "type": "Ride"},
        event_time=create["event_time"] + 60,
    )
    for event_id in await deliver(ctx, fake, update):
        await process_event(ctx, event_id)
    [stored] = await rows(ctx, Activity, Activity.user_id == user_id)
    assert (stored.name, stored.sport) == ("Tempo run", "ride")
    notes = await rows(ctx, Notification, Notification.recipient_id == user_id)
    changed = [n.payload for n in notes if n.payload.get("activity_changed") == stored.id]
    assert changed and changed[-1]["change"] == "updated"

    fake.remove_activity(strava_id, activity_id)
    delete = fake.build_event(
        object_type="activity",
        object_id=activity_id,
        aspect_type="delete",
        owner_id=strava_id,
        event_time=create["event_time"] + 120,
    )
    for event_id in await deliver(ctx, fake, delete):
        await process_event(ctx, event_id)
    [stored] = await rows(ctx, Activity, Activity.user_id == user_id)
    assert stored.deleted_at is not None


async def test_the_same_webhook_delivered_100_times_gives_one_activity(ctx, fake, http):
    strava_id, user_id, _account = await connected(ctx, fake, http)
    subscribe(fake)
    activity_id = fake.add_activity(strava_id, start=ctx.clock.now() + timedelta(minutes=1))
    event = fake.build_event(
        object_type="activity", object_id=activity_id, aspect_type="create", owner_id=strava_id
    )
    new_ids = [i for _ in range(100) for i in await deliver(ctx, fake, event)]
    assert len(new_ids) == 1
    for _ in range(3):  # at-least-once: the task itself may also run more than once
        await process_event(ctx, new_ids[0])
    assert len(await rows(ctx, Activity, Activity.user_id == user_id)) == 1
    assert len(fake.calls_to(f"/api/v3/activities/{activity_id}")) == 2  # detail + streams


async def test_an_expired_token_is_refreshed_and_the_rotated_refresh_token_stored(ctx, fake, http):
    strava_id, user_id, account = await connected(ctx, fake, http)
    old = read_token(ctx.cipher, account)
    fake.expire_access_tokens(strava_id)
    subscribe(fake)
    activity_id = fake.add_activity(strava_id, start=ctx.clock.now())
    event = fake.build_event(
        object_type="activity", object_id=activity_id, aspect_type="create", owner_id=strava_id
    )
    [event_id] = await deliver(ctx, fake, event)
    assert (await process_event(ctx, event_id)).finished
    assert len(await rows(ctx, Activity, Activity.user_id == user_id)) == 1
    async with ctx.db.unit_of_work() as session:
        new = read_token(ctx.cipher, await session.get(ConnectedAccount, account.id))
    assert new.refresh_token != old.refresh_token
    assert new.refresh_token in fake.refresh_tokens and old.refresh_token not in fake.refresh_tokens


async def test_two_workers_refreshing_at_once_refresh_once(ctx, fake, http):
    strava_id, _, account = await connected(ctx, fake, http)
    refused = read_token(ctx.cipher, account).access_token
    fake.expire_access_tokens(strava_id)
    tokens = await asyncio.gather(
        fresh_token(ctx, account.id, refused_access_token=refused),
        fresh_token(ctx, account.id, refused_access_token=refused),
    )
    assert tokens[0].access_token == tokens[1].access_token != refused
    refreshes = [c for c in fake.calls_to("/oauth/token") if b"refresh_token" in c.body]
    assert len(refreshes) == 1
    async with ctx.db.unit_of_work() as session:
        stored = read_token(ctx.cipher, await session.get(ConnectedAccount, account.id))
    assert stored.refresh_token in fake.refresh_tokens


async def test_a_429_defers_to_the_window_end_and_the_athlete_hears_once(ctx, fake, http):
    _strava_id, user_id, account = await connected(ctx, fake, http, history=6)
    fake.limits = Limits(read_15min=4)
    first = await backfill_step(ctx, account.id)
    assert not first.finished
    assert first.retry_at is not None and first.retry_at.minute % 15 == 0
    again = await backfill_step(ctx, account.id, attempt=1)  # still inside the window
    assert not again.finished
    delayed = [
        n
        for n in await rows(ctx, Notification, Notification.recipient_id == user_id)
        if n.payload.get("delayed")
    ]
    assert len(delayed) == 1
    fake.limits, fake.usage = Limits(), type(fake.usage)()
    ctx.clock.set(first.retry_at)
    assert (await backfill_step(ctx, account.id, attempt=2)).finished
    assert len(await rows(ctx, Activity, Activity.user_id == user_id)) == 6


async def test_deauthorize_event_disables_the_account_and_deletes_strava_data(ctx, fake, http):
    strava_id, user_id, account = await connected(ctx, fake, http, history=2)
    await backfill_step(ctx, account.id)
    subscribe(fake)
    fake.revoke(strava_id)  # the athlete removed Trainlytics on strava.com
    [event_id] = await deliver(ctx, fake, fake.deauthorize_event(strava_id))
    await process_event(ctx, event_id)
    async with ctx.db.unit_of_work() as session:
        stored = await session.get(ConnectedAccount, account.id)
        assert (stored.status, stored.sync_enabled) == ("revoked", False)
        live = await session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(Activity.user_id == user_id, Activity.deleted_at.is_(None))
        )
    assert live == 0
    notes = [n.payload for n in await rows(ctx, Notification, Notification.recipient_id == user_id)]
    assert any(p.get("revoked") and p["reconnect_command"] == "/connect strava" for p in notes)
    # One message says what was deleted, not one per activity.
    assert [p["data_deleted"] for p in notes if "data_deleted" in p] == [2]
    assert not [p for p in notes if p.get("change") == "deleted"]


async def test_a_401_that_refresh_cannot_fix_disables_the_account(ctx, fake, http):
    strava_id, _user_id, account = await connected(ctx, fake, http)
    fake.revoke(strava_id)
    subscribe(fake)
    activity_id = fake.add_activity(strava_id, start=ctx.clock.now())
    event = fake.build_event(
        object_type="activity", object_id=activity_id, aspect_type="create", owner_id=strava_id
    )
    [event_id] = await deliver(ctx, fake, event)
    result = await process_event(ctx, event_id)
    assert result.finished and result.outcome == "revoked"
    async with ctx.db.unit_of_work() as session:
        assert (await session.get(ConnectedAccount, account.id)).status == "revoked"
        assert (await session.get(WebhookEvent, event_id)).status == "failed"
