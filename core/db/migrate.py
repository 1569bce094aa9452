"""Apply the Alembic migrations programmatically (no alembic.ini needed once installed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.db.engine import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema at `database_url` to `revision`. Blocking; run it off the event loop."""
    command.upgrade(alembic_config(database_url), revision)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(""))


def head_revisions() -> set[str]:
    """The revisions this code's migrations end at."""
    return set(_scripts().get_heads())


def known_revisions() -> set[str]:
    """Every revision this code knows (a database at another one was migrated by newer code)."""
    return {script.revision for script in _scripts().walk_revisions()}


async def applied_revisions(database_url: str) -> set[str]:
    """The revisions recorded in the database (empty on a database never migrated)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            heads = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_heads()
            )
    finally:
        await engine.dispose()
    return set(heads)
