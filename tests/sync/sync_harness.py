"""Shared set-up of the orchestration, webhook and OAuth tests: fakes wired to a SyncContext."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from core.clock import FixedClock
from core.crypto import TokenCipher
from core.db.engine import Database
from core.db.models import ConnectedAccount
from core.sync.build import SyncContext, build_sync_context
from core.sync.connections.oauth_flow import begin_connect, complete_connect
from core.sync.ratelimit import InMemoryRateLimitStore
from tests.factories import person

PUBLIC_URL = "https://trainlytics.test"
STRAVA_VERIFY_TOKEN = "verify-me"
STRAVA_SUBSCRIPTION_ID = "120475"
POLAR_SECRET = "polar-signing-secret"
# The cookie secret of the one browser `connect` plays.
HARNESS_BROWSER = "harness-browser-cookie"


def now_clock() -> FixedClock:
    """The fakes judge token expiry by this clock too, so it starts at the real time."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@asynccontextmanager
async def all_fakes(clock: FixedClock) -> AsyncIterator[dict[str, Any]]:
    """The four fake providers running, keyed by provider name, on the test's clock."""
    from tests.fakes.providers.coros import FakeCoros
    from tests.fakes.providers.garmin import FakeGarmin
    from tests.fakes.providers.polar import FakePolar
    from tests.fakes.providers.strava import FakeStrava

    async with (
        FakeStrava(clock=clock.now) as strava,
        FakeGarmin(clock=clock.now) as garmin,
        FakePolar(clock=clock.now) as polar,
        FakeCoros(clock=clock.now) as coros,
    ):
        yield {"strava": strava, "garmin": garmin, "polar": polar, "coros": coros}


def provider_settings(
    *,
    strava: Any = None,
    garmin: Any = None,
    polar: Any = None,
    coros: Any = None,
    polar_secret: str = POLAR_SECRET,
    backfill_days: int = 90,
) -> SimpleNamespace:
    values: dict[str, Any] = {"public_url": PUBLIC_URL, "backfill_days": backfill_days}
    for name, fake in (("strava", strava), ("garmin", garmin), ("polar", polar), ("coros", coros)):
        if fake is None:
            continue
        values |= {
            f"{name}_client_id": fake.client_id,
            f"{name}_client_secret": fake.client_secret,
            f"{name}_api_base": fake.api_base,
            f"{name}_oauth_base": fake.oauth_base,
            f"{name}_token_url": getattr(fake, "token_url", ""),
        }
    values |= {
        "strava_webhook_verify_token": STRAVA_VERIFY_TOKEN,
        "strava_subscription_id": STRAVA_SUBSCRIPTION_ID,
        "polar_webhook_secret": polar_secret,
    }
    return SimpleNamespace(**values)


def make_context(
    db: Database,
    clock: FixedClock,
    http: httpx.AsyncClient,
    settings: SimpleNamespace,
    *,
    rate_limits: InMemoryRateLimitStore | None = None,
) -> SyncContext:
    return build_sync_context(
        settings,
        db=db,
        clock=clock,
        cipher=TokenCipher.from_keys([TokenCipher.generate_key()]),
        http=http,
        rate_limits=rate_limits or InMemoryRateLimitStore(),
    )


async def athlete(db: Database, name: str = "Ada") -> int:
    async with db.unit_of_work() as session:
        return (await person(session, name)).id


async def connect(
    ctx: SyncContext, provider_name: str, user_id: int, code_for: Any
) -> ConnectedAccount:
    """The whole OAuth dance minus the browser: state, consent at the fake, callback.

    `code_for(authorize_url)` plays the athlete's click and returns the code.
    """
    async with ctx.db.unit_of_work() as session:
        url = await begin_connect(
            session, ctx.clock, ctx.provider(provider_name), user_id, browser=HARNESS_BROWSER
        )
    state = parse_qs(urlsplit(url).query)["state"][0]
    code = await code_for(url)
    outcome = await complete_connect(ctx, provider_name, state, code, browser=HARNESS_BROWSER)
    assert outcome.account is not None, "the provider account belongs to someone else"
    return outcome.account


async def code_by_redirect(http: httpx.AsyncClient, authorize_url: str) -> str:
    """Follow the fake's consent page: it redirects to our callback with the code."""
    response = await http.get(authorize_url)
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def app_settings(tmp_path: Any, **fakes: Any) -> Any:
    """Real `Settings` for the web app, with the given fakes as providers."""
    from cryptography.fernet import Fernet

    from core.settings import Settings

    values = {k: v for k, v in vars(provider_settings(**fakes)).items() if v}
    values |= {
        "data_dir": tmp_path,
        "secret_key": "k" * 64,
        "encryption_keys": Fernet.generate_key().decode(),
        "redis_url": None,
    }
    return Settings(**values)


class AppHarness:
    """The FastAPI app on a container whose jobs run in the in-memory broker."""

    def __init__(self, container: Any, app: Any = None) -> None:
        from trainlytics.web_app import build_web_app

        self.container = container
        self.app = app if app is not None else build_web_app(container)

    async def __aenter__(self) -> AppHarness:
        self.broker = self.container.jobs_backend.backend.broker
        self.container.runtime.senders = {}
        self.broker.state.jobs = self.container.runtime
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.9", 5555))
        self.client = httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.wait_all()
        self.broker.state.jobs = None
        await self.client.aclose()
        await self.container.aclose()

    async def jobs_done(self) -> None:
        await self.broker.wait_all()


# --- the same steps in every provider's end-to-end tests --------------------------------


async def connect_through_browser(
    harness: AppHarness, browser: httpx.AsyncClient, provider: str, title: str, user_id: int
) -> None:
    """Bot link -> /connect/{provider} -> the code sent in chat -> /continue -> the fake's
    consent -> /oauth/{provider}/callback."""
    opened = await open_and_confirm(harness, provider, user_id)
    consent = await browser.get(opened.headers["location"])
    assert consent.status_code == 302
    done = await harness.client.get(consent.headers["location"].removeprefix(PUBLIC_URL))
    assert done.status_code == 200 and f"{title} connected" in done.text
    await harness.jobs_done()


async def open_and_confirm(harness: AppHarness, provider: str, user_id: int) -> httpx.Response:
    """Open the person's connect link in `harness.client` (the browser, keeping its
    cookie), send the page's code as the person, and continue: the redirect to the
    provider's consent page."""
    import re

    from core.sync.connections.connect_links import confirm_browser, connect_url

    link = connect_url(
        PUBLIC_URL,
        harness.container.settings.secret_key,
        user_id,
        provider,
        harness.container.clock.now(),
    )
    page = await harness.client.get(link.removeprefix(PUBLIC_URL))
    assert page.status_code == 200, page.text
    code = re.search(r"/connect (\d{6})", page.text)
    assert code is not None, page.text
    async with harness.container.db.unit_of_work() as session:
        await confirm_browser(session, harness.container.clock, user_id, code.group(1))
    opened = await harness.client.get(f"/connect/{provider}/continue")
    assert opened.status_code == 303, opened.text
    return opened


async def rows(harness: AppHarness, model: Any, *where: Any) -> list:
    from sqlalchemy import select

    async with harness.container.db.unit_of_work() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def live(harness: AppHarness, user_id: int) -> list:
    from core.db.models import Activity

    return await rows(harness, Activity, Activity.user_id == user_id, Activity.deleted_at.is_(None))


async def notes(harness: AppHarness, user_id: int) -> list:
    from core.db.models import Notification

    return await rows(harness, Notification, Notification.recipient_id == user_id)


async def account_now(harness: AppHarness, account_id: int) -> Any:
    from core.db.models import ConnectedAccount

    [account] = await rows(harness, ConnectedAccount, ConnectedAccount.id == account_id)
    return account
