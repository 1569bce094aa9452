"""The calendar as a person sees it: a real Chromium against a real uvicorn on 127.0.0.1.

Screenshots (desktop and phone) are written to the test's temporary folder; the path is
printed so a person can look at them (`pytest -s tests/web/test_calendar_browser.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn

from trainlytics.container import Container
from trainlytics.web_app import build_web_app

from .browser import Browser, find_chromium
from .seed import seed

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary found (apt-get install chromium, or set TRAINLYTICS_TEST_CHROMIUM)",
)


@pytest.fixture
async def server(container: Container) -> AsyncIterator[str]:
    config = uvicorn.Config(
        build_web_app(container), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    async with asyncio.timeout(30):
        while not instance.started:  # noqa: ASYNC110 (uvicorn offers no started event)
            await asyncio.sleep(0.02)
    port = instance.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    await task


@pytest.fixture
async def browser(tmp_path) -> AsyncIterator[Browser]:
    assert CHROMIUM is not None
    async with Browser(CHROMIUM, tmp_path / "chromium-profile") as running:
        yield running


async def test_calendar_page_in_a_real_browser(db, clock, server, browser, tmp_path) -> None:
    seeded = await seed(db, clock)
    page = await browser.page()
    try:
        await page.viewport(1200, 900, mobile=False)
        await page.goto(f"{server}/calendar/{seeded.athlete_token}")

        assert await page.evaluate("document.querySelector('h1').textContent") == "Ann"
        assert await page.evaluate("document.getElementById('month-title').textContent") == (
            "March 2026"
        )
        week = await page.evaluate("document.getElementById('week').innerText")
        assert "Week of 9–15 March" in week
        assert "4x5 threshold" in week and "On target 94 %" in week
        assert "4 × (5 min interval @ 105–110% power, 3 min recovery)" in week
        assert "Evening intervals" in week and "32.4 km" in week
        assert "Long endurance ride" in week
        # The stylesheet applied (a strict CSP would have blocked an inline one).
        assert (
            await page.evaluate("getComputedStyle(document.querySelector('.week')).borderRadius")
            == "12px"
        )
        desktop = await page.screenshot(tmp_path / "calendar-desktop.png")

        await page.viewport(390, 844, mobile=True, scale=2)
        await page.goto(f"{server}/calendar/{seeded.athlete_token}")
        fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the page scrolls sideways on a phone"
        phone = await page.screenshot(tmp_path / "calendar-phone.png")

        await page.click("a[rel=next]")
        assert await page.evaluate("document.getElementById('month-title').textContent") == (
            "April 2026"
        )
        assert "month=2026-04" in await page.evaluate("location.search")
        assert "Technique swim" in await page.evaluate("document.body.innerText")
        await page.click("a[rel=prev]")
        assert await page.evaluate("document.getElementById('month-title').textContent") == (
            "March 2026"
        )

        assert page.console_errors == []
        print(f"\ncalendar screenshots: {desktop} {phone}")
    finally:
        await page.close()


async def test_coach_switches_between_athletes_without_javascript(
    db, clock, server, browser
) -> None:
    seeded = await seed(db, clock)
    page = await browser.page()
    try:
        await page.goto(f"{server}/calendar/{seeded.coach_token}")
        assert await page.evaluate("document.querySelector('h1').textContent") == "Ann"
        assert "4x5 threshold" in await page.evaluate("document.body.innerText")
        assert page.console_errors == []
    finally:
        await page.close()
