"""`trainlytics demo [--if-empty]`: a coach and three athletes to try Trainlytics with."""

from __future__ import annotations

import argparse
import asyncio
import time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="seed a demo coach and three athletes with twelve weeks of training",
        description="Seed Coach Claire and her athletes Ana, Ben and Chloé with plans, "
        "sessions and training load. Running it again changes nothing.",
    )
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="seed only when the database has nobody in it yet (what `make run` does)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_demo(if_empty=args.if_empty))


async def _demo(*, if_empty: bool) -> int:
    from core.demo.seed import ATHLETE_NAMES, COACH_NAME, seed_demo, seed_demo_if_empty
    from trainlytics.banner import chat_command
    from trainlytics.container import build_container

    container = build_container(doors=False)
    began = time.perf_counter()
    try:
        if if_empty:
            result = await seed_demo_if_empty(container.db, container.clock)
            if result is None:
                print("The database already has people in it: demo not seeded.")
                return 0
        else:
            result = await seed_demo(container.db, container.clock)
    finally:
        await container.aclose()
    people = ", ".join(ATHLETE_NAMES)
    if not result.created:
        print(f"The demo is already there ({COACH_NAME} coaching {people}).")
        return 0
    print(
        f"Demo seeded in {time.perf_counter() - began:.1f} s: {COACH_NAME} coaching {people}; "
        f"{result.workouts} workouts, {result.activities} sessions."
    )
    print(f"Try it: {chat_command(container.settings, ATHLETE_NAMES[0])}")
    return 0
