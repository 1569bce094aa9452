from __future__ import annotations

from types import SimpleNamespace

import httpx

from core.sync import Provider, build_providers, provider_config


async def test_only_providers_with_credentials_are_built_with_public_defaults():
    settings = SimpleNamespace(
        public_url="https://trainlytics.example.com/",
        strava_client_id="1",
        strava_client_secret="s",
        strava_subscription_id="9",
        polar_client_id="p",
        polar_client_secret=None,
        coros_client_id="c",
        coros_client_secret="cs",
        coros_api_base="http://127.0.0.1:9/",
    )
    async with httpx.AsyncClient() as http:
        providers = build_providers(settings, http)
    assert sorted(providers) == ["coros", "strava"]
    assert all(isinstance(p, Provider) for p in providers.values())
    strava = providers["strava"].config
    assert strava.redirect_uri == "https://trainlytics.example.com/oauth/strava/callback"
    assert strava.api_base == "https://www.strava.com/api/v3"
    assert strava.subscription_id == "9"
    assert providers["coros"].config.api_base == "http://127.0.0.1:9"
    assert not provider_config(settings, "polar").enabled
