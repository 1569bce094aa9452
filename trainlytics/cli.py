"""`trainlytics` / `python -m trainlytics`: the command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subcommand modules under trainlytics.commands, in the order `--help` lists them.
COMMANDS = (
    "run",
    "migrate",
    "analyze",
    "keys",
    "chat",
    "demo",
    "worker",
    "scheduler",
    "strava_subscribe",
    "calendar",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trainlytics",
        description="Trainlytics: training with your coach, in chat.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"trainlytics.commands.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
