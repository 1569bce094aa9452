"""Garmin, Polar and COROS through the orchestrator, and one ride from two providers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import httpx
import pytest
from sqlalchemy import select

from core.db.models import Activity, ConnectedAccount
from core.files import parse_activity_file
from core.sync.connections.stored_tokens import read_token, with_token
from core.sync.orchestrator.backfill import backfill_step
from core.sync.orchestrator.hourly_poll import accounts_to_poll, poll_account
from core.sync.orchestrator.webhook_events import process_event, store_webhook_events
from core.sync.providers.base import AuthRevoked
from tests.sync.conftest import fixture_bytes
from tests.sync.sync_harness import (
    all_fakes,
    athlete,
    code_by_redirect,
    connect,
    make_context,
    now_clock,
    provider_settings,
)

RIDE = "cycling_power_outdoor_edge810.fit"
RUN = "running_short_fenix5.fit"


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def fakes(clock) -> AsyncIterator[dict]:
    async with all_fakes(clock) as running:
        yield running


@pytest.fixture
def ctx(db, clock, http, fakes):
    return make_context(db, clock, http, provider_settings(**fakes))


async def deliver(ctx, provider_name: str, raw: bytes) -> list[int]:
    provider = ctx.provider(provider_name)
    async with ctx.db.unit_of_work() as session:
        ids = await store_webhook_events(
            session, ctx.clock, provider_name, provider.parse_webhook(raw)
        )
    for event_id in ids:
        assert (await process_event(ctx, event_id)).finished
    return ids


async def live_activities(ctx) -> list[Activity]:
    async with ctx.db.unit_of_work() as session:
        return list(await session.scalars(select(Activity).where(Activity.deleted_at.is_(None))))


async def test_garmin_activity_file_notification_imports_the_fit(ctx, fakes, http):
    garmin = fakes["garmin"]
    user = garmin.add_user()
    user_id = await athlete(ctx.db)
    account = await connect(ctx, "garmin", user_id, lambda url: code_by_redirect(http, url))
    assert (await backfill_step(ctx, account.id)).outcome == "requested"
    start = parse_activity_file(fixture_bytes(RUN), RUN)[0].start
    record = garmin.add_activity(user, fixture_bytes(RUN), start=start)
    body = json.dumps(garmin.activity_files_notification(record)).encode()
    assert len(await deliver(ctx, "garmin", body)) == 1
    [activity] = await live_activities(ctx)
    assert (activity.source, activity.source_id, activity.sport) == (
        "garmin",
        record["summaryId"],
        "run",
    )
    assert await deliver(ctx, "garmin", body) == []  # redelivery: nothing new
    assert garmin.add_user() not in await accounts_to_poll(ctx)  # Garmin is never polled


async def test_garmin_expired_token_refresh_stores_the_new_pair(ctx, fakes, http):
    garmin = fakes["garmin"]
    user = garmin.add_user()
    user_id = await athlete(ctx.db)
    account = await connect(ctx, "garmin", user_id, lambda url: code_by_redirect(http, url))
    old = read_token(ctx.cipher, account)
    garmin.expire_access_tokens(user)
    record = garmin.add_activity(user, fixture_bytes(RUN), start=ctx.clock.now())
    await deliver(ctx, "garmin", json.dumps(garmin.activity_files_notification(record)).encode())
    assert len(await live_activities(ctx)) == 1
    async with ctx.db.unit_of_work() as session:
        new = read_token(ctx.cipher, await session.get(ConnectedAccount, account.id))
    assert new.refresh_token != old.refresh_token and new.refresh_token in garmin.refresh_tokens


async def test_garmin_deregistration_disables_the_account(ctx, fakes, http):
    garmin = fakes["garmin"]
    user = garmin.add_user()
    user_id = await athlete(ctx.db)
    account = await connect(ctx, "garmin", user_id, lambda url: code_by_redirect(http, url))
    garmin.deregister(user)  # the athlete removed the app in Garmin Connect
    await deliver(ctx, "garmin", json.dumps(garmin.deregistration_notification(user)).encode())
    async with ctx.db.unit_of_work() as session:
        assert (await session.get(ConnectedAccount, account.id)).status == "revoked"


async def test_polar_connect_registers_and_a_signed_exercise_event_imports_it(ctx, fakes, http):
    polar = fakes["polar"]
    user = polar.add_user()
    user_id = await athlete(ctx.db)
    account = await connect(ctx, "polar", user_id, lambda url: code_by_redirect(http, url))
    assert polar.users[user].registered_at is not None  # registered at once
    exercise = polar.add_exercise(
        user,
        fixture_bytes(RUN),
        start_utc=ctx.clock.now() - timedelta(hours=1),
        uploaded=ctx.clock.now() + timedelta(seconds=5),
    )
    ctx.clock.advance(timedelta(minutes=1))
    await deliver(ctx, "polar", polar.exercise_event(user, exercise))
    [activity] = await live_activities(ctx)
    assert (activity.source, activity.source_id) == ("polar", exercise)
    result = await backfill_step(ctx, account.id)  # the listing finds the same exercise
    assert result.finished and len(await live_activities(ctx)) == 1


async def test_coros_push_and_hourly_poll_import_each_workout_once(ctx, fakes, http):
    coros = fakes["coros"]
    open_id = coros.add_user()
    user_id = await athlete(ctx.db)
    account = await connect(ctx, "coros", user_id, lambda url: code_by_redirect(http, url))
    await backfill_step(ctx, account.id)
    pushed = coros.add_workout(open_id, fixture_bytes(RUN), start=ctx.clock.now())
    await deliver(ctx, "coros", coros.push_body(pushed))
    coros.add_workout(open_id, fixture_bytes(RIDE), start=ctx.clock.now() + timedelta(hours=2))
    assert account.id in await accounts_to_poll(ctx)
    ctx.clock.advance(timedelta(hours=3))
    polled = await poll_account(ctx, account.id)
    assert polled.finished and polled.imported == 1  # the pushed one is not fetched again
    assert sorted(a.sport for a in await live_activities(ctx)) == ["ride", "run"]


async def test_one_ride_from_strava_and_garmin_is_one_activity(ctx, fakes, http):
    strava, garmin = fakes["strava"], fakes["garmin"]
    ride = parse_activity_file(fixture_bytes(RIDE), RIDE)[0]
    user_id = await athlete(ctx.db)
    strava_id = strava.add_athlete()
    strava_account = await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http, url))
    garmin_user = garmin.add_user()
    await connect(ctx, "garmin", user_id, lambda url: code_by_redirect(http, url))
    strava.subscriptions.append({"id": 120475})
    strava_ride = strava.add_activity(
        strava_id,
        start=ride.start.astimezone(UTC),
        sport_type="Ride",
        elapsed_s=int(ride.elapsed_s),
        name="Evening Ride",
    )
    event = strava.build_event(
        object_type="activity", object_id=strava_ride, aspect_type="create", owner_id=strava_id
    )
    await deliver(ctx, "strava", json.dumps(event).encode())
    record = garmin.add_activity(
        garmin_user, fixture_bytes(RIDE), start=ride.start, activity_type="ROAD_BIKING"
    )
    await deliver(ctx, "garmin", json.dumps(garmin.activity_files_notification(record)).encode())
    copies = await live_activities(ctx)
    assert sorted(a.source for a in copies) == ["garmin", "strava"]
    kept = [a for a in copies if a.primary_activity_id is None]
    assert len(kept) == 1 and kept[0].source == "garmin"  # the copy with power is kept
    assert strava_account.provider == "strava"


@pytest.mark.parametrize("name", ["strava", "garmin", "polar", "coros"])
async def test_every_provider_confirms_a_revocation_only_once_it_refuses_the_token(
    ctx, fakes, http, name
):
    """The rule a revocation webhook is judged by, on each provider: `check_access`
    passes while the grant lives, and once the athlete revokes it at the provider, fails
    as revoked (after one refresh where the provider has refresh tokens)."""
    fake = fakes[name]
    provider_user = fake.add_athlete() if name == "strava" else fake.add_user()
    user_id = await athlete(ctx.db)
    account = await connect(ctx, name, user_id, lambda url: code_by_redirect(http, url))
    provider = ctx.provider(name)
    await with_token(ctx, account.id, provider.check_access)
    if name == "garmin":
        fake.deregister(provider_user)
    else:
        fake.revoke(provider_user)
    with pytest.raises(AuthRevoked):
        await with_token(ctx, account.id, provider.check_access)
    async with ctx.db.unit_of_work() as session:
        assert (await session.get(ConnectedAccount, account.id)).status == "revoked"
