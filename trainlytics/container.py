"""The composition root: builds every long-lived object once and hands them to the doors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.clock import Clock, SystemClock
from core.crypto import TokenCipher
from core.db.engine import Database, pool_options
from core.settings import Settings, load_settings


@dataclass
class Container:
    """What every door needs: settings, the database, the clock, the token cipher.

    Doors add their own long-lived objects (the task broker, the Telegram bot, the Slack
    app) under `extras`, keyed by name, when the composition root starts them.
    """

    settings: Settings
    db: Database
    clock: Clock
    cipher: TokenCipher
    extras: dict[str, Any] = field(default_factory=dict)

    async def aclose(self) -> None:
        for extra in reversed(list(self.extras.values())):
            close = getattr(extra, "aclose", None)
            if close is not None:
                await close()
        await self.db.dispose()


def build_container(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    db: Database | None = None,
    concurrency: int | None = None,
) -> Container:
    """`concurrency`: units of work the process runs at once (default: a web process's)."""
    settings = settings or load_settings()
    settings.ensure_secrets()
    url = settings.effective_database_url
    pool = pool_options(url, concurrency or settings.web_concurrency, settings.db_pool_size)
    return Container(
        settings=settings,
        db=db or Database.from_url(url, **pool),
        clock=clock or SystemClock(),
        cipher=TokenCipher.from_keys(settings.encryption_key_list),
    )
