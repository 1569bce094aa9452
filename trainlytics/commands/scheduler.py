"""`trainlytics scheduler`: the one scheduler process (static and per-person schedules)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from core.settings import SettingsError
from trainlytics.database import job_role_settings
from trainlytics.lifecycle import skip_exit_collection, until_stopped


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scheduler",
        help="send scheduled jobs to Redis (production role; run exactly one)",
        description="Run taskiq's scheduler for trainlytics.entry:scheduler. Run exactly one: "
        "two schedulers send every job twice.",
    )
    parser.add_argument(
        "--update-interval",
        type=int,
        default=10,
        help="seconds between re-reading schedules (default 10, so new reminders are punctual)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        job_role_settings("scheduler")
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    from taskiq.cli.scheduler.args import SchedulerArgs
    from taskiq.cli.scheduler.run import run_scheduler

    scheduler_args = SchedulerArgs.from_cli(
        [
            "trainlytics.entry:scheduler",
            "--skip-first-run",
            "--update-interval",
            str(args.update_interval),
        ]
    )
    asyncio.run(until_stopped(run_scheduler(scheduler_args)))
    skip_exit_collection()
    return 0
