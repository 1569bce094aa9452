"""`trainlytics scheduler`: the one scheduler process (static and per-person schedules)."""

from __future__ import annotations

import argparse
import asyncio

from trainlytics.settings import load_settings

NO_REDIS = (
    "`trainlytics scheduler` needs TRAINLYTICS_REDIS_URL. Without Redis, `trainlytics run` "
    "runs the scheduler inside its own process."
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scheduler",
        help="send scheduled jobs to Redis (production role; run exactly one)",
        description="Run taskiq's scheduler for workers.scheduler:scheduler. Run exactly one: "
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
    if not load_settings().redis_url:
        print(NO_REDIS)
        return 2
    from taskiq.cli.scheduler.args import SchedulerArgs
    from taskiq.cli.scheduler.run import run_scheduler

    scheduler_args = SchedulerArgs.from_cli(
        [
            "workers.scheduler:scheduler",
            "--skip-first-run",
            "--update-interval",
            str(args.update_interval),
        ]
    )
    try:
        asyncio.run(run_scheduler(scheduler_args))
    except KeyboardInterrupt:
        return 130
    return 0
