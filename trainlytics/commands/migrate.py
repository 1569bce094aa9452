"""`trainlytics migrate`: bring the database schema up to date (the Procfile's release role)."""

from __future__ import annotations

import argparse

from core.db.migrate import upgrade
from core.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("migrate", help="apply database migrations")
    parser.add_argument("--revision", default="head", help="target revision (default: head)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    upgrade(settings.effective_database_url, args.revision)
    print(f"Database is at revision {args.revision}: {_redacted(settings.effective_database_url)}")
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
