"""Everything a sync operation needs, built once per process from the settings.

`settings` is any object with the `TRAINLYTICS_*` fields as attributes (the composition
root's pydantic Settings); core does not import it. The doors (web, webhooks, workers)
build one `SyncContext` per process and pass it to `core.sync.accounts` and
`core.sync.orchestrator`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from core.clock import Clock
from core.crypto import TokenCipher
from core.db.engine import Database
from core.errors import NotFound
from core.sync.providers.base import Provider
from core.sync.providers.registry import build_providers
from core.sync.ratelimit import RateLimitStore

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
            raise NotFound(f"{name.capitalize()} is not available here.") from None


def build_sync_context(
    settings: Any,
    *,
    db: Database,
    clock: Clock,
    cipher: TokenCipher,
    http: httpx.AsyncClient,
    rate_limits: RateLimitStore | None = None,
) -> SyncContext:
    """`rate_limits`: the Strava window store shared by all workers (in memory if None)."""
    return SyncContext(
        db=db,
        clock=clock,
        cipher=cipher,
        providers=build_providers(settings, http, rate_limits=rate_limits),
        backfill_days=int(getattr(settings, "backfill_days", DEFAULT_BACKFILL_DAYS)),
    )
