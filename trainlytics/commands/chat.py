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
    """With Redis the workers reconcile a changed reminder at once. Without it the jobs
    run inside `trainlytics run`, another process whose in-memory schedule this one
    cannot reach: its 5-minute reconciliation picks the change up from the database.
    (Reconciling here against a throwaway in-memory store would record schedules that no
    scheduler holds, and the periodic pass would then think them up to date.)
    A Disconnect likewise queues its finishing job only with Redis; without it the hourly
    sync sweep of `trainlytics run` revokes the grant and forgets the tokens.
    """
    from bot.console.chat import ConsoleChat
    from bot.conversation import Conversation, ConversationSettings
    from bot.telegram.bot import finish_disconnect, reconcile_reminders, start_backfill
    from trainlytics.container import build_container

    container = build_container()
    try:
        config = container.settings
        # Without Redis the jobs run inside `trainlytics run`, another process: the
        # scheduler's periodic passes pick the changes up instead of these hooks.
        settings = ConversationSettings.from_settings(
            config,
            reschedule=reconcile_reminders if config.redis_url else None,
            after_disconnect=finish_disconnect if config.redis_url else None,
            after_connect=start_backfill if config.redis_url else None,
        )
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
