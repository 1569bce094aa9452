"""Everything a sync operation needs, built once per process from the settings.

`settings` is any object with the `TRAINLYTICS_*` fields as attributes (the composition
root's pydantic Settings); core does not import it. The doors (web, webhooks, workers)
build one `SyncContext` per process and pass it to `core.sync.connections` and
`core.sync.orchestrator`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from core.clock import Clock
from core.crypto import TokenCipher
from core.db.engine import Database
from core.errors import NotFound
from core.sync.providers.base import Provider, ProviderConfig
from core.sync.providers.coros import CorosProvider
from core.sync.providers.garmin import GarminProvider
from core.sync.providers.polar import PolarProvider
from core.sync.providers.registry import PROVIDER_NAMES, provider_config
from core.sync.providers.strava import StravaProvider
from core.sync.ratelimit import InMemoryRateLimitStore, RateLimitStore

DEFAULT_BACKFILL_DAYS = 90


@dataclass(frozen=True)
class SyncContext:
    db: Database
    clock: Clock
    cipher: TokenCipher
    # Only the providers whose client id and secret are configured.
    providers: Mapping[str, Provider]
    backfill_days: int = DEFAULT_BACKFILL_DAYS

    def provider(self, name: str) -> Provider:
        """The configured provider, or `NotFound` with a sentence for the person asking."""
        try:
            return self.providers[name]
        except KeyError:
            raise NotFound("refuse_provider_not_available", provider=name.capitalize()) from None


def build_sync_context(
    settings: Any,
    *,
    db: Database,
    clock: Clock,
    cipher: TokenCipher,
    http: httpx.AsyncClient,
    rate_limits: RateLimitStore | None = None,
) -> SyncContext:
    """`rate_limits`: the Strava window store shared by all workers (in memory if None).

    Built here rather than with `build_providers` so the connectors read the same
    injected clock as the rest of the sync (rate-limit windows, token expiry).
    """
    store = rate_limits or InMemoryRateLimitStore()
    now = clock.now
    builders: dict[str, Callable[[ProviderConfig], Provider]] = {
        "strava": lambda c: StravaProvider(c, http, rate_limits=store, clock=now),
        "garmin": lambda c: GarminProvider(c, http, clock=now),
        "polar": lambda c: PolarProvider(c, http),
        "coros": lambda c: CorosProvider(c, http, clock=now),
    }
    providers: dict[str, Provider] = {}
    for name in PROVIDER_NAMES:
        config = provider_config(settings, name)
        if config.enabled:
            providers[name] = builders[name](config)
    return SyncContext(
        db=db,
        clock=clock,
        cipher=cipher,
        providers=providers,
        backfill_days=int(getattr(settings, "backfill_days", DEFAULT_BACKFILL_DAYS)),
    )
