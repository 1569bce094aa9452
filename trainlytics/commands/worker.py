"""`trainlytics worker`: the job worker process (taskiq's worker on our Redis broker)."""

from __future__ import annotations

import argparse
import os

from trainlytics.settings import load_settings

NO_REDIS = (
    "`trainlytics worker` needs TRAINLYTICS_REDIS_URL (e.g. redis://localhost:6379/0). "
    "Without Redis, `trainlytics run` runs the jobs inside its own process."
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "worker",
        help="run background jobs from Redis (production role)",
        description="Run the taskiq worker for workers.broker:broker. Arguments after `--` "
        "go to `taskiq worker` unchanged (e.g. -- --workers 4).",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--max-async-tasks",
        type=int,
        default=None,
        help="concurrent tasks per process (default TRAINLYTICS_JOBS_MAX_ASYNC_TASKS, 50)",
    )
    parser.add_argument("taskiq_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.redis_url:
        print(NO_REDIS)
        return 2
    if args.max_async_tasks is None:
        args.max_async_tasks = settings.jobs_max_async_tasks
    # The worker processes size their database pools from it (workers.jobs).
    os.environ["TRAINLYTICS_JOBS_MAX_ASYNC_TASKS"] = str(args.max_async_tasks)
    from taskiq.cli.worker.args import WorkerArgs
    from taskiq.cli.worker.run import run_worker

    extra = [a for a in args.taskiq_args if a != "--"]
    worker_args = WorkerArgs.from_cli(
        [
            "workers.broker:broker",
            "--workers",
            str(args.workers),
            "--max-async-tasks",
            str(args.max_async_tasks),
            *extra,
        ]
    )
    return int(run_worker(worker_args) or 0)
