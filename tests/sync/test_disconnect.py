"""Disconnect in /connect: nothing syncs at once, then the grant dies at Strava and the
tokens are forgotten (`finish_disconnects`, queued after the chat's commit)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from bot.conversation import Conversation, ConversationSettings
from core.db.models import ConnectedAccount, Notification, User
from core.sync.connections.account_status import (
    DISCONNECTING,
    REVOKED,
    disable_account,
    mark_disconnecting,
)
from core.sync.connections.disconnects import disconnect, finish_disconnects
from core.sync.connections.stored_tokens import read_token
from core.sync.orchestrator.hourly_poll import accounts_to_poll, poll_account
from tests.bot.conversation.test_conversations import Chat
from tests.factories import person
from tests.fakes.providers.strava import FakeStrava
from tests.sync.sync_harness import (
    PUBLIC_URL,
    AppHarness,
    app_settings,
    code_by_redirect,
    connect,
    make_context,
    now_clock,
    provider_settings,
)
from trainlytics.container import build_container

DEAUTHORIZE = "/oauth/deauthorize"


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


class Hook:
    """The door's `after_disconnect`: records whom it was called for."""

    def __init__(self, fails: bool = False) -> None:
        self.calls: list[int] = []
        self.fails = fails

    async def __call__(self, user_id: int) -> None:
        self.calls.append(user_id)
        if self.fails:
            raise ConnectionError("the broker is down")


def chat(ctx, hook: Hook | None = None) -> Chat:
    settings = ConversationSettings(
        public_url=PUBLIC_URL,
        secret_key="disconnect-secret",
        enabled_providers=("strava",),
        after_disconnect=hook,
    )
    return Chat(Conversation(ctx.db, ctx.clock, settings=settings), "Ada")


async def connected_chat(ctx, fake, http, hook: Hook | None = None) -> tuple[Chat, int, int]:
    """Ada talks to the bot, then connects Strava through the OAuth dance."""
    ada = chat(ctx, hook)
    await ada.send("/help")
    async with ctx.db.unit_of_work() as session:
        user_id = (await session.scalar(select(User).where(User.name == "Ada"))).id
    strava_id = fake.add_athlete()
    await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http, url))
    return ada, user_id, strava_id


async def press_disconnect(ada: Chat) -> None:
    await ada.send("/connect")
    await ada.press("Disconnect Strava")
    assert "Strava is disconnected" in ada.text


async def the_account(ctx) -> ConnectedAccount:
    async with ctx.db.unit_of_work() as session:
        return await session.scalar(select(ConnectedAccount))


def assert_forgotten(ctx, account: ConnectedAccount) -> None:
    assert (account.status, account.sync_enabled) == (REVOKED, False)
    assert ctx.cipher.decrypt(account.access_token_enc) == ""
    assert account.refresh_token_enc is None
    assert account.expires_at is None


async def test_disconnect_revokes_the_grant_at_strava_and_forgets_the_tokens(ctx, fake, http):
    hook = Hook()
    ada, user_id, strava_id = await connected_chat(ctx, fake, http, hook)
    await press_disconnect(ada)

    assert hook.calls == [user_id]
    account = await the_account(ctx)
    assert (account.status, account.sync_enabled) == (DISCONNECTING, False)
    assert fake.calls_to(DEAUTHORIZE) == []  # the chat itself makes no HTTP call

    assert await finish_disconnects(ctx) == 1
    assert len(fake.calls_to(DEAUTHORIZE)) == 1
    assert strava_id not in {t.athlete_id for t in fake.access_tokens.values()}
    assert strava_id not in fake.refresh_tokens.values()
    assert_forgotten(ctx, await the_account(ctx))

    assert await finish_disconnects(ctx) == 0
    assert len(fake.calls_to(DEAUTHORIZE)) == 1


async def test_a_failing_provider_still_ends_revoked_without_tokens(ctx, fake, http):
    ada, _, _ = await connected_chat(ctx, fake, http)
    await press_disconnect(ada)
    fake.fail_next(DEAUTHORIZE, 500)

    assert await finish_disconnects(ctx) == 1
    assert len(fake.calls_to(DEAUTHORIZE)) == 1
    assert_forgotten(ctx, await the_account(ctx))
    assert await finish_disconnects(ctx) == 0


async def test_a_grant_already_removed_on_strava_is_finished_quietly(ctx, fake, http):
    ada, _, strava_id = await connected_chat(ctx, fake, http)
    await press_disconnect(ada)
    fake.revoke(strava_id)  # the athlete also removed the app on strava.com

    assert await finish_disconnects(ctx) == 1
    assert_forgotten(ctx, await the_account(ctx))


async def test_an_expired_access_token_is_refreshed_so_the_grant_really_dies(
    ctx, fake, http, clock
):
    ada, _, strava_id = await connected_chat(ctx, fake, http)
    stale = read_token(ctx.cipher, await the_account(ctx)).access_token
    await press_disconnect(ada)
    clock.advance(timedelta(hours=7))  # Strava access tokens live six hours

    assert await finish_disconnects(ctx) == 1
    # Strava refuses an expired token, and the grant would live on behind the refresh
    # token: the revocation is sent with a freshly refreshed one.
    refreshes = [c for c in fake.calls_to("/oauth/token") if b"refresh_token" in c.body]
    assert len(refreshes) == 1
    (call,) = fake.calls_to(DEAUTHORIZE)
    sent = parse_qs(call.body.decode())["access_token"][0]
    assert sent != stale
    assert strava_id not in fake.refresh_tokens.values()
    assert_forgotten(ctx, await the_account(ctx))


async def test_nothing_syncs_while_the_disconnect_is_unfinished(ctx, fake, http):
    ada, _, _ = await connected_chat(ctx, fake, http)
    account_id = (await the_account(ctx)).id
    await press_disconnect(ada)

    assert account_id not in await accounts_to_poll(ctx)
    assert (await poll_account(ctx, account_id)).outcome == "inactive"
    async with ctx.db.unit_of_work() as session:
        account = await session.get(ConnectedAccount, account_id)
        # A provider-side revocation seen meanwhile does not tell Ada to reconnect.
        assert await disable_account(session, ctx.clock, account, reason="gone") is False
        assert account.status == DISCONNECTING
        assert list(await session.scalars(select(Notification))) == []


async def test_connect_shows_an_unfinished_disconnect_as_disconnected(ctx, fake, http):
    ada, _, _ = await connected_chat(ctx, fake, http)
    await press_disconnect(ada)
    await ada.send("/connect")
    assert "Strava: disconnected" in ada.text
    assert [b.label for r in ada.last for b in r.buttons] == ["Connect Strava"]


async def test_a_reconnect_before_the_disconnect_finished_is_kept(ctx, fake, http):
    ada, user_id, _ = await connected_chat(ctx, fake, http)
    await press_disconnect(ada)
    await connect(ctx, "strava", user_id, lambda url: code_by_redirect(http, url))

    assert await finish_disconnects(ctx) == 0
    assert fake.calls_to(DEAUTHORIZE) == []
    account = await the_account(ctx)
    assert account.status == "active"
    assert ctx.cipher.decrypt(account.access_token_enc) != ""


async def test_a_failing_hook_does_not_undo_the_disconnect(ctx, fake, http):
    hook = Hook(fails=True)
    ada, user_id, _ = await connected_chat(ctx, fake, http, hook)
    await press_disconnect(ada)

    assert hook.calls == [user_id]
    assert (await the_account(ctx)).status == DISCONNECTING
    assert await finish_disconnects(ctx) == 1  # the hourly sweep's turn


async def test_finish_disconnects_takes_at_most_limit_accounts(ctx, fake, http):
    for name in ("Ada", "Ben", "Cy"):
        strava_id = fake.add_athlete()
        async with ctx.db.unit_of_work() as session:
            user_id = (await person(session, name)).id
        await connect(ctx, "strava", user_id, consent_of(fake, strava_id))
        async with ctx.db.unit_of_work() as session:
            account = await session.scalar(
                select(ConnectedAccount).where(ConnectedAccount.user_id == user_id)
            )
            mark_disconnecting(account)

    assert await finish_disconnects(ctx, limit=2) == 2
    assert await finish_disconnects(ctx, limit=2) == 1
    assert await finish_disconnects(ctx, limit=2) == 0
    assert len(fake.calls_to(DEAUTHORIZE)) == 3


def consent_of(fake: FakeStrava, strava_id: int):
    """This Strava athlete's click on Authorize (the fake's page picks the first one)."""

    async def code_for(authorize_url: str) -> str:
        query = parse_qs(urlsplit(authorize_url).query)
        return fake.authorize(
            strava_id, tuple(query["scope"][0].split(",")), query["redirect_uri"][0]
        )

    return code_for


async def test_disconnect_at_once_revokes_and_forgets(ctx, fake, http):
    _, user_id, strava_id = await connected_chat(ctx, fake, http)
    assert await disconnect(ctx, user_id, "strava") == 1
    assert len(fake.calls_to(DEAUTHORIZE)) == 1
    assert strava_id not in fake.refresh_tokens.values()
    assert strava_id not in fake.refresh_tokens.values()
    assert_forgotten(ctx, await the_account(ctx))


@pytest.fixture
async def jobs(db, clock, tmp_path, fake) -> AsyncIterator[AppHarness]:
    """The process's jobs on the in-memory broker, with its own SyncContext."""
    container = build_container(app_settings(tmp_path, strava=fake), clock=clock, db=db)
    async with AppHarness(container) as running:
        yield running


async def disconnected_through_jobs(jobs: AppHarness, fake, http) -> int:
    ctx = jobs.container.sync
    _, _, strava_id = await connected_chat(ctx, fake, http)
    async with ctx.db.unit_of_work() as session:
        account = await session.scalar(select(ConnectedAccount))
        assert account is not None, "connected_chat left one connected account"
        mark_disconnecting(account)
    return strava_id


async def test_the_conversation_s_hook_queues_the_job_that_finishes_it(jobs, fake, http):
    from bot.conversation.context import ConversationSettings

    settings = ConversationSettings.from_settings(jobs.container.settings, jobs=jobs.container.jobs)
    finish_disconnect = settings.after_disconnect
    assert finish_disconnect is not None

    strava_id = await disconnected_through_jobs(jobs, fake, http)
    await finish_disconnect(1)
    await jobs.jobs_done()
    assert strava_id not in fake.refresh_tokens.values()
    ctx = jobs.container.sync
    assert_forgotten(ctx, await the_account(ctx))


async def test_the_hourly_sweep_finishes_a_disconnect_whose_job_was_lost(jobs, fake, http):
    sync_tasks = jobs.container.tasks.sync

    strava_id = await disconnected_through_jobs(jobs, fake, http)
    await sync_tasks.poll_all.kiq()
    await jobs.jobs_done()
    await jobs.jobs_done()  # the sweep's own follow-up jobs
    assert len(fake.calls_to(DEAUTHORIZE)) == 1
    assert strava_id not in fake.refresh_tokens.values()
    ctx = jobs.container.sync
    assert_forgotten(ctx, await the_account(ctx))
