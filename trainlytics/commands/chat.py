"""`trainlytics chat [--as NAME]`: talk to the bot in the terminal, against the configured DB."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path


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
    from bot.console.chat import ConsoleChat
    from bot.conversation import Conversation, ConversationSettings
    from trainlytics.container import build_container

    container = build_container()
    try:
        settings = ConversationSettings(public_url=getattr(container.settings, "public_url", None))
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
        await chat.run(sys.stdin)
    finally:
        await container.aclose()
    return 0
