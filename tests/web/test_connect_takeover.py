"""A forwarded connect link must not give the athlete's provider account to the sender.

Mallory sends /connect in her own chat and forwards the link; Ben, signed in to the
provider, opens it. Driven through the real doors: the conversation for both chats, the
web app's /connect and /oauth routes in two separate browsers (cookie jars), and the
strict fake providers. docs/security.md, "Connecting a provider account".
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from bot.conversation import Conversation, ConversationSettings
from bot.conversation.notifications import build_notification_view, render_notification
from core.db.models import ConnectedAccount, Notification, User
from tests.bot.conversation.test_conversations import Chat
from tests.fakes.providers.coros import FakeCoros
from tests.fakes.providers.garmin import FakeGarmin
from tests.fakes.providers.polar import FakePolar
from tests.fakes.providers.strava import FakeStrava
from tests.sync.sync_harness import PUBLIC_URL, AppHarness, now_clock
from tests.sync.sync_harness import app_settings as settings_for
from trainlytics.container import build_container

PROVIDERS = ("strava", "garmin", "polar", "coros")
FAKES = {"strava": FakeStrava, "garmin": FakeGarmin, "polar": FakePolar, "coros": FakeCoros}


@pytest.fixture
def clock():
    return now_clock()


@pytest.fixture
async def fakes(clock) -> AsyncIterator[dict]:
    running = {name: fake_class(clock=clock.now) for name, fake_class in FAKES.items()}
    for fake in running.values():
        await fake.__aenter__()
    yield running
    for fake in running.values():
        await fake.__aexit__(None, None, None)


@pytest.fixture
async def harness(db, clock, tmp_path, fakes) -> AsyncIterator[AppHarness]:
    container = build_container(settings_for(tmp_path, **fakes), clock=clock, db=db)
    async with AppHarness(container) as running:
        yield running


@pytest.fixture
def conversation(harness, db, clock) -> Conversation:
    settings = ConversationSettings(
        public_url=PUBLIC_URL,
        secret_key=harness.container.settings.secret_key,
        enabled_providers=PROVIDERS,
    )
    return Conversation(db, clock, settings=settings)


def browser_of(harness: AppHarness) -> httpx.AsyncClient:
    """Another person's browser: the same web app, a cookie jar of its own."""
    return httpx.AsyncClient(transport=harness.client._transport, base_url=PUBLIC_URL)


def signed_in(fakes: dict, provider: str) -> None:
    """The provider account the fake's consent page answers for (the first one added)."""
    fake = fakes[provider]
    fake.add_athlete() if provider == "strava" else fake.add_user()


async def connect_link(chat: Chat, provider: str) -> str:
    await chat.send(f"/connect {provider}")
    [url] = [b.url for r in chat.last for b in r.buttons if b.url]
    return url.removeprefix(PUBLIC_URL)


def shown_code(page: httpx.Response) -> str:
    found = re.search(r"/connect (\d{6})", page.text)
    assert found is not None, page.text
    return found.group(1)


async def accounts(db) -> list[ConnectedAccount]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(ConnectedAccount).order_by(ConnectedAccount.id)))


async def user_id(db, name: str) -> int:
    async with db.unit_of_work() as session:
        return (await session.scalar(select(User).where(User.name == name))).id


async def follow_to_provider(browser: httpx.AsyncClient, to_provider: httpx.Response):
    """The browser follows the redirect through the fake's consent back to our callback.

    (The consent hop goes over the network to the fake; our app is reached in-process,
    with the browser's own cookie jar.)"""
    async with httpx.AsyncClient(timeout=10) as network:
        consent = await network.get(to_provider.headers["location"])
    assert consent.status_code == 302, consent.text
    return await browser.get(consent.headers["location"].removeprefix(PUBLIC_URL))


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_forwarded_link_opened_by_ben_never_reaches_the_provider(
    harness, conversation, fakes, db, provider
):
    signed_in(fakes, provider)
    mallory, ben = Chat(conversation, "Mallory"), Chat(conversation, "Ben")
    await ben.send("/help")
    forwarded = await connect_link(mallory, provider)

    async with browser_of(harness) as bens_browser:
        page = await bens_browser.get(forwarded)
        assert page.status_code == 200 and "in your own chat" in page.text
        code = shown_code(page)
        # Ben does what the page says, in his own chat: it is not his link.
        await ben.send(f"/connect {code}")
        assert "No connect page is waiting" in ben.text
        still = await bens_browser.get(f"/connect/{provider}/continue")
        assert still.status_code == 200 and "has not seen the code yet" in still.text
        # Mallory cannot see Ben's page: her guesses run out and the page is dead.
        for step in range(1, 6):
            await mallory.send(f"/connect {(int(code) + step) % 10**6:06d}")
        assert "0 tries left" in mallory.text
        await mallory.send(f"/connect {code}")  # even the right code, now
        dead = await bens_browser.get(f"/connect/{provider}/continue")
        assert dead.status_code == 400

    assert await accounts(db) == []
    assert not [c for c in fakes[provider].calls if "token" in c.path]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_authorize_url_sent_to_another_browser_is_refused_at_the_callback(
    harness, conversation, fakes, db, provider
):
    signed_in(fakes, provider)
    mallory = Chat(conversation, "Mallory")
    async with browser_of(harness) as mallorys_browser, browser_of(harness) as bens_browser:
        page = await mallorys_browser.get(await connect_link(mallory, provider))
        await mallory.send(f"/connect {shown_code(page)}")
        assert "Code accepted" in mallory.text
        to_provider = await mallorys_browser.get(f"/connect/{provider}/continue")
        assert to_provider.status_code == 303
        # Mallory sends the provider's consent URL (her state) to Ben instead of using it.
        done = await follow_to_provider(bens_browser, to_provider)
        assert done.status_code == 400 and "another browser" in done.text
    assert await accounts(db) == []


async def connect_in_own_browser(harness, fakes, chat: Chat, provider: str) -> httpx.Response:
    async with browser_of(harness) as browser:
        page = await browser.get(await connect_link(chat, provider))
        await chat.send(f"/connect {shown_code(page)}")
        to_provider = await browser.get(f"/connect/{provider}/continue")
        assert to_provider.status_code == 303, to_provider.text
        return await follow_to_provider(browser, to_provider)


async def delivered(db, name: str) -> list:
    """Render the person's outbox rows as the delivery would."""
    recipient = await user_id(db, name)
    async with db.unit_of_work() as session:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.recipient_id == recipient)
            .order_by(Notification.id)
        )
        return [render_notification(await build_notification_view(session, r)) for r in rows]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_account_someone_holds_moves_only_when_its_owner_says_so(
    harness, conversation, fakes, db, provider
):
    signed_in(fakes, provider)
    ben, mallory = Chat(conversation, "Ben"), Chat(conversation, "Mallory")
    assert (await connect_in_own_browser(harness, fakes, ben, provider)).status_code == 200
    [bens] = await accounts(db)
    assert bens.user_id == await user_id(db, "Ben")

    # The same provider account, proven again in Mallory's own confirmed browser.
    done = await connect_in_own_browser(harness, fakes, mallory, provider)
    assert done.status_code == 200 and "nothing moves unless they agree" in done.text
    [still] = await accounts(db)
    assert (still.user_id, still.access_token_enc) == (bens.user_id, bens.access_token_enc)
    waiting = await delivered(db, "Mallory")
    assert "already connected to Ben" in waiting[-1].plain

    [question] = [r for r in await delivered(db, "Ben") if r.buttons]
    assert "Mallory connected" in question.plain
    ben.last = [question]
    await ben.press("Keep it mine")
    assert "stays yours" in ben.text
    [kept] = await accounts(db)
    assert kept.user_id == bens.user_id
    assert "kept the" in (await delivered(db, "Mallory"))[-1].plain

    ben.last = [question]
    await ben.press("Move it to Mallory")  # the old question, pressed after answering
    assert "no longer open" in ben.text
    assert (await accounts(db))[0].user_id == bens.user_id


async def test_the_owner_may_agree_and_the_account_moves_with_a_fresh_backfill(
    harness, conversation, fakes, db
):
    signed_in(fakes, "strava")
    ben, bens_tri = Chat(conversation, "Ben"), Chat(conversation, "Ben Tri")
    await connect_in_own_browser(harness, fakes, ben, "strava")
    await harness.jobs_done()
    await connect_in_own_browser(harness, fakes, bens_tri, "strava")
    [question] = [r for r in await delivered(db, "Ben") if r.buttons]
    ben.last = [question]
    await ben.press("Move it to Ben Tri")
    assert "now syncs to Ben Tri" in ben.text
    [moved] = await accounts(db)
    assert moved.user_id == await user_id(db, "Ben Tri")
    assert (moved.status, moved.backfill["status"]) == ("active", "pending")
    assert "agreed" in (await delivered(db, "Ben Tri"))[-1].plain


async def test_the_connect_cookie_is_httponly_lax_and_secure_on_https(harness, conversation):
    mallory = Chat(conversation, "Mallory")
    async with browser_of(harness) as browser:
        page = await browser.get(await connect_link(mallory, "strava"))
    cookie = page.headers["set-cookie"].lower()
    assert cookie.startswith("tl_connect_strava=")
    for attribute in ("httponly", "samesite=lax", "secure", "path=/"):
        assert attribute in cookie
    assert urlsplit(PUBLIC_URL).scheme == "https"
