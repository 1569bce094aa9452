"""`trainlytics chat [--as NAME]`: talk to the bot in the terminal, against the configured DB."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

# How often the chat looks for notifications waiting for its person (a local table read).
CONSOLE_POLL_SECONDS = 1.0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="chat with the bot in this terminal")
    parser.add_argument("--as", dest="name", default="Me", help="who you are (a display name)")
    parser.add_argument(
        "--images",
        type=Path,
        default=Path(tempfile.gettempdir()) / "trainlytics-chat",
        help="folder where charts are saved",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_chat(args.name, args.images))


async def _chat(name: str, image_dir: Path) -> int:
    """Changes that need a job (a reminder time, a Disconnect, an agreed account move)
    reach the workers through Redis when it is configured; without it the jobs run inside
    `trainlytics run`, and its periodic passes pick them up from the database
    (trainlytics.container.console_jobs)."""
    from bot.console.chat import ConsoleChat
    from bot.conversation import Conversation, ConversationSettings
    from core.settings import load_settings
    from trainlytics.container import build_container, console_jobs

    loaded = load_settings()
    container = build_container(loaded, doors=False, jobs=console_jobs(loaded))
    try:
        settings = ConversationSettings.from_settings(container.settings, jobs=container.jobs)
        chat = ConsoleChat(
            Conversation(container.db, container.clock, settings=settings),
            name,
            sys.stdout,
            image_dir,
        )
        if sys.stdin.isatty():
            sys.stdout.write(
                f"Chatting as {name}. Type /help, a number to press a button, "
                "/file PATH to send a file, /quit to leave.\n"
            )
        await chat.run_live(sys.stdin, poll_s=CONSOLE_POLL_SECONDS)
    finally:
        await container.aclose()
    return 0
