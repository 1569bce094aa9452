"""Before a role starts: the database schema must be the one this code was written for.

The embedded default (SQLite, development) migrates itself, so `trainlytics run` works on
a fresh data dir. Anywhere else migrating is the release step's job (`trainlytics
migrate`, the Procfile's `release` role): a role started on a database that is not
migrated, or behind this code's migrations, refuses to start with one sentence saying so,
instead of failing on "no such table" in every request and job.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import make_url

from core.db import migrate
from core.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def is_embedded(settings: Settings) -> bool:
    """The SQLite file of a development run: nobody else migrates it."""
    url = make_url(settings.effective_database_url)
    return url.get_backend_name() == "sqlite" and not settings.is_production


def job_role_settings(role: str) -> Settings:
    """The settings of `trainlytics worker` / `scheduler`: Redis set, schema current.

    Raises SettingsError, whose sentence the command prints before exiting with 2.
    """
    settings = load_settings()
    if not settings.redis_url:
        raise SettingsError(
            f"`trainlytics {role}` needs TRAINLYTICS_REDIS_URL (e.g. redis://localhost:6379/0). "
            f"Without Redis, `trainlytics run` runs the {role} inside its own process."
        )
    prepare_database(settings, may_migrate=False)
    return settings


def prepare_database(settings: Settings, *, may_migrate: bool) -> None:
    """Migrate the embedded database (when `may_migrate`) or refuse a stale schema.

    Raises SettingsError (one sentence naming `trainlytics migrate`) when the schema is
    behind; blocking, so call it before the role's event loop starts.
    """
    url = settings.effective_database_url
    if may_migrate and is_embedded(settings):
        if behind(asyncio.run(_applied(url))):
            migrate.upgrade(url)
        return
    applied = asyncio.run(_applied(url))
    if behind(applied):
        state = "has never been migrated" if not applied else "is behind this version's schema"
        raise SettingsError(
            f"Trainlytics will not start: the database {redacted(url)} {state}; "
            "run `trainlytics migrate` first."
        )
    if applied - migrate.known_revisions():
        # A newer release migrated it (a rolling deploy): this process still serves.
        log.warning("the database schema is newer than this code (%s)", ", ".join(applied))


def behind(applied: set[str]) -> bool:
    """True when the database lacks migrations this code has (including none at all)."""
    if applied - migrate.known_revisions():
        return False
    return applied != migrate.head_revisions()


async def _applied(url: str) -> set[str]:
    try:
        return await migrate.applied_revisions(url)
    except OSError as exc:
        raise SettingsError(
            f"Trainlytics will not start: the database {redacted(url)} cannot be reached ({exc})."
        ) from exc
