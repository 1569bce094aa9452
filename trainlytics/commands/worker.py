"""`trainlytics worker`: the job worker process (taskiq's worker on our Redis broker).

Stopping (SIGTERM): taskiq's process manager passes the signal to its worker processes
and returns at once; each stops fetching, gives its running tasks `TASKS_GRACE_S` and the
broker shutdown `BROKER_GRACE_S`. A task cut short is not acknowledged, so Redis hands it
to another worker after `TRAINLYTICS_JOBS_IDLE_TIMEOUT_S` (tasks are idempotent). Whatever
is still alive at `STOP_DEADLINE_S` is killed, so the role is gone within 10 s: a worker
process still starting (its start-up takes seconds) finishes it before it looks at the
signal, and taskiq-redis's stream listener was seen not to return from its blocking read
after "Stopping prefetching messages", which left the processes running for good.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import sys
import time

from core.settings import SettingsError
from trainlytics.database import job_role_settings
from trainlytics.lifecycle import skip_exit_collection

BROKER = "trainlytics.entry:broker"
TASKS_GRACE_S = 4
BROKER_GRACE_S = 1
STOP_DEADLINE_S = 6.0  # after taskiq's manager returns (it polls its signal once a second)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "worker",
        help="run background jobs from Redis (production role)",
        description="Run the taskiq worker for trainlytics.entry:broker. Arguments after `--` "
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
    try:
        settings = job_role_settings("worker")
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.max_async_tasks is None:
        args.max_async_tasks = settings.jobs_max_async_tasks
    # The worker processes size their database pools from it (workers.jobs).
    os.environ["TRAINLYTICS_JOBS_MAX_ASYNC_TASKS"] = str(args.max_async_tasks)
    from taskiq.cli.worker.args import WorkerArgs
    from taskiq.cli.worker.run import run_worker

    # Imported here, before taskiq forks its workers: they inherit the loaded modules
    # instead of each importing them again (seconds each) while a SIGTERM waits.
    importlib.import_module(BROKER.partition(":")[0])
    extra = [a for a in args.taskiq_args if a != "--"]
    worker_args = WorkerArgs.from_cli(
        [
            BROKER,
            "--workers",
            str(args.workers),
            "--max-async-tasks",
            str(args.max_async_tasks),
            "--wait-tasks-timeout",
            str(TASKS_GRACE_S),
            "--shutdown-timeout",
            str(BROKER_GRACE_S),
            *extra,
        ]
    )
    status = run_worker(worker_args)
    _reap_workers(STOP_DEADLINE_S)
    skip_exit_collection()
    return int(status or 0)


def _reap_workers(deadline_s: float) -> None:
    """Wait for taskiq's worker processes until the deadline, then kill what is left."""
    end = time.monotonic() + deadline_s
    for child in multiprocessing.active_children():
        child.join(max(0.0, end - time.monotonic()))
    for child in multiprocessing.active_children():
        child.kill()
        child.join(1)
