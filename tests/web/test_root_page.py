"""`/`: a person who opens the server's address learns what it is and where the bot is."""

from __future__ import annotations

import httpx

from trainlytics.container import build_container
from trainlytics.web_app import build_web_app

from .conftest import make_settings


async def _get_root(container, method: str = "GET") -> httpx.Response:
    transport = httpx.ASGITransport(app=build_web_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, "/")


async def test_the_root_is_a_page_naming_the_bot_and_linking_health(db, clock, tmp_path) -> None:
    settings = make_settings(
        tmp_path, telegram_bot_token="123:abc", telegram_bot_username="TrainlyticsBot"
    )
    response = await _get_root(build_container(settings, clock=clock, db=db))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<a href="https://t.me/TrainlyticsBot">@TrainlyticsBot</a>' in page
    assert '<a href="/health">' in page and "/start" in page
    assert "Training with your coach, in chat" in page
    health = await _get_root(build_container(settings, clock=clock, db=db), "HEAD")
    assert health.status_code == 200


async def test_without_a_bot_username_the_page_says_how_to_chat_locally(
    db, clock, tmp_path
) -> None:
    response = await _get_root(build_container(make_settings(tmp_path), clock=clock, db=db))
    assert response.status_code == 200
    assert "t.me/" not in response.text
    assert "Telegram is not connected on this server." in response.text
    assert "trainlytics chat" in response.text
