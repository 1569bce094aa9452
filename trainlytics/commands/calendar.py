"""`trainlytics calendar-link --user ID [--revoke]`: issue or switch off a private calendar link.

For an operator helping someone (or trying the calendar locally); people themselves use
/calendar in Telegram or Slack, which calls the same core functions.
"""

from __future__ import annotations

import argparse
import asyncio

from core.calendar import links as calendar_service
from core.errors import DomainError
from core.settings import SettingsError, load_settings
from trainlytics.container import Container, build_container


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "calendar-link",
        help="print a new private calendar link for a person (the old one stops working)",
        description="Issue a new calendar link (page and ICS feed) for a person, revoking the "
        "previous one; with --revoke, only switch their links off.",
    )
    parser.add_argument("--user", type=int, required=True, metavar="ID", help="the person's id")
    parser.add_argument("--revoke", action="store_true", help="switch the links off only")
    parser.set_defaults(func=calendar_link)


def calendar_link(args: argparse.Namespace) -> int:
    try:
        container = build_container(load_settings(), doors=False)
    except SettingsError as exc:
        print(exc)
        return 2
    return asyncio.run(_run(container, args.user, revoke=args.revoke))


async def _run(container: Container, user_id: int, *, revoke: bool) -> int:
    try:
        async with container.db.unit_of_work() as session:
            if revoke:
                count = await calendar_service.revoke_tokens(session, container.clock, user_id)
                print(f"Switched off {count} calendar link(s) of person {user_id}.")
                return 0
            token = await calendar_service.issue_token(
                session, container.clock, user_id, secret=container.settings.secret_key or ""
            )
    except DomainError as exc:
        print(f"trainlytics calendar-link: {exc.message}")
        return 1
    finally:
        await container.aclose()
    settings = container.settings
    base = settings.public_url or settings.local_url
    print(f"Calendar: {calendar_service.calendar_url(base, token)}")
    print(f"Feed:     {calendar_service.feed_url(base, token)}")
    return 0
