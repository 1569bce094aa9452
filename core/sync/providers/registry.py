"""Build the configured providers from settings, sharing one HTTP client.

`settings` is any object with the `TRAINLYTICS_*` fields as attributes
(`strava_client_id`, `strava_api_base`, ..., `public_url`), such as the composition
root's pydantic Settings; core does not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from core.sync.providers.base import Provider, ProviderConfig, ProviderName
from core.sync.providers.coros import CorosProvider
from core.sync.providers.garmin import GarminProvider
from core.sync.providers.polar import PolarProvider
from core.sync.providers.strava import StravaProvider
from core.sync.ratelimit import InMemoryRateLimitStore, RateLimitStore

PROVIDER_NAMES: tuple[ProviderName, ...] = ("strava", "garmin", "polar", "coros")

# Public defaults, used when a setting is absent.
DEFAULT_BASES: dict[str, tuple[str, str]] = {
    "strava": ("https://www.strava.com/api/v3", "https://www.strava.com/oauth"),
    "garmin": ("https://apis.garmin.com", "https://connect.garmin.com"),
    "polar": ("https://www.polaraccesslink.com/v3", "https://flow.polar.com/oauth2"),
    "coros": ("https://open.coros.com", "https://open.coros.com/oauth2"),
}


def provider_config(settings: Any, name: ProviderName) -> ProviderConfig:
    def setting(suffix: str, default: str = "") -> str:
        value = getattr(settings, f"{name}_{suffix}", None)
        return str(value) if value else default

    api_default, oauth_default = DEFAULT_BASES[name]
    public_url = (getattr(settings, "public_url", None) or "").rstrip("/")
    return ProviderConfig(
        client_id=setting("client_id"),
        client_secret=setting("client_secret"),
        api_base=setting("api_base", api_default).rstrip("/"),
        oauth_base=setting("oauth_base", oauth_default).rstrip("/"),
        token_url=setting("token_url"),
        redirect_uri=f"{public_url}/oauth/{name}/callback" if public_url else "",
        webhook_verify_token=setting("webhook_verify_token"),
        webhook_secret=setting("webhook_secret"),
        subscription_id=setting("subscription_id"),
    )


def build_providers(
    settings: Any,
    http: httpx.AsyncClient,
    *,
    rate_limits: RateLimitStore | None = None,
    only_enabled: bool = True,
) -> dict[ProviderName, Provider]:
    """Providers by name; those without client id and secret are left out by default."""
    builders: dict[str, Callable[[ProviderConfig], Provider]] = {
        "strava": lambda c: StravaProvider(
            c, http, rate_limits=rate_limits or InMemoryRateLimitStore()
        ),
        "garmin": lambda c: GarminProvider(c, http),
        "polar": lambda c: PolarProvider(c, http),
        "coros": lambda c: CorosProvider(c, http),
    }
    providers: dict[ProviderName, Provider] = {}
    for name in PROVIDER_NAMES:
        config = provider_config(settings, name)
        if config.enabled or not only_enabled:
            providers[name] = builders[name](config)
    return providers
