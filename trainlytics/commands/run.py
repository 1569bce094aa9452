"""`trainlytics run [ROLE]`: everything in one process, or one production role."""

from __future__ import annotations

import argparse
import asyncio
import sys

from core.settings import SettingsError, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="start Trainlytics (web + jobs + bots in one process by default)",
        description="Start Trainlytics. `all` (default) runs the web app and, without Redis, "
        "the job worker and scheduler in-process, plus the bots whose tokens are set; "
        "`web` runs only the web app and registers the Telegram webhook (production, one "
        "of several processes).",
    )
    parser.add_argument("role", nargs="?", choices=("all", "web"), default="all")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every other command (migrate, demo, chat...) would
    # otherwise pay for the web app, the bots and the demo at start-up (seconds each).
    from trainlytics.banner import banner
    from trainlytics.container import build_container
    from trainlytics.database import prepare_database
    from trainlytics.lifecycle import skip_exit_collection
    from trainlytics.runtime import role_services, run_together

    try:
        settings = load_settings()
        prepare_database(settings, may_migrate=args.role == "all")
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    container = build_container(settings)
    services = role_services(container, args.role)
    print(banner(settings, services), flush=True)
    asyncio.run(run_together(container, services))
    skip_exit_collection()
    return 0
