"""`/trainlytics` and its subcommands, and the modals they open.

Every subcommand answers the coach privately (the slash command's acknowledgement is an
ephemeral message), runs in one unit of work, and goes through core's permission check:
a DomainError (not your athlete, not allowed, bad input) becomes a polite answer and
nothing is stored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.dispatcher import Conversation
from bot.slack import cards, feed
from bot.slack import conversation as face
from bot.slack.blocks import (
    CALLBACK_ACTION_PREFIX,
    MESSAGE_BLOCK_LIMIT,
    fallback,
    section,
    slack_escape,
)
from bot.slack.people import athlete_by_name, coach_for
from core.coaching import relationships as coaching
from core.coaching.relationships import require_permission
from core.db.models import User
from core.enums import Permission, Role
from core.errors import DomainError, InvalidInput, NotFound
from core.people import identities as accounts
from core.planning import workouts as planning
from core.services import Services
from core.timeutil import local_date

log = logging.getLogger(__name__)

COMMAND = "/trainlytics"

HELP = (
    "*Trainlytics for coaches*\n"
    "`/trainlytics roster` – your athletes at a glance\n"
    "`/trainlytics athlete NAME` – week vs plan, compliance, fitness/fatigue/form, "
    "last activities, next workouts, flags\n"
    "`/trainlytics invite` – a code and a Telegram link to hand to a new athlete\n"
    "`/trainlytics plan NAME` – plan a workout (opens a form)\n"
    "`/trainlytics assign TEMPLATE NAME YYYY-MM-DD` – put a plan template on the calendar\n"
    "`/trainlytics comment NAME TEXT` – comment on the athlete's latest session\n"
    "`/trainlytics digest` – who needs attention today\n"
    "`/trainlytics feed here` (in a private channel) / `feed dm` – where activities are posted\n"
    "`/trainlytics link` / `link CODE` – join this Slack account with your Telegram account\n"
    "`/trainlytics settings` – your timezone, language and units (`settings tz Europe/Paris`, "
    "`settings lang fr`, `settings units imperial`)\n"
    "`/trainlytics help` – this list"
)


@dataclass
class Invocation:
    """One slash command as the handlers need it."""

    team_id: str
    user_id: str
    user_name: str
    channel_id: str
    channel_name: str
    args: str
    trigger_id: str
    client: Any


Answer = tuple[str, list[dict[str, Any]]]
Handler = Callable[[Services, AsyncSession, User, Invocation], Awaitable[Answer]]


def _answer(text: str) -> Answer:
    """A plain answer (names, titles and refusals in it raw): escaped once, whole. Only for
    text without a mrkdwn link, which escaping would break."""
    return text, [section(slack_escape(text))]


async def help_(container: Services, session: AsyncSession, coach: User, inv: Invocation) -> Answer:
    return "Trainlytics commands", [section(HELP)]


async def plan(container: Services, session: AsyncSession, coach: User, inv: Invocation) -> Answer:
    found = await athlete_by_name(session, coach.id, inv.args)
    await require_permission(session, coach.id, found.id, Permission.PLAN_WORKOUTS)
    today = local_date(container.clock.now(), found.timezone)
    await inv.client.views_open(
        trigger_id=inv.trigger_id, view=cards.plan_modal(found.id, found.name, today)
    )
    return _answer(f"Planning a workout for {found.name}…")


async def assign(
    container: Services, session: AsyncSession, coach: User, inv: Invocation
) -> Answer:
    words = inv.args.split()
    confirmed = bool(words) and words[-1].lower() == "confirm"  # after an overlap warning
    words = words[:-1] if confirmed else words
    if len(words) < 3:
        raise InvalidInput("Usage: `/trainlytics assign TEMPLATE NAME YYYY-MM-DD`.")
    start = _parse_date(words[-1])
    rest = words[:-1]
    for cut in range(len(rest) - 1, 0, -1):
        try:
            template = await planning.find_template(session, coach.id, " ".join(rest[:cut]))
        except NotFound:
            continue
        found = await athlete_by_name(session, coach.id, " ".join(rest[cut:]))
        try:
            training = await planning.assign_template(
                session,
                container.clock,
                coach.id,
                template.id,
                found.id,
                start,
                overlap_confirmed=confirmed,
            )
        except planning.PlanOverlap as overlap:
            return _answer(
                f"For {found.name}, {overlap.message[0].lower()}{overlap.message[1:]} "
                f"Nothing was added. To run both, send "
                f"`/trainlytics assign {inv.args} confirm`."
            )
        return _answer(
            f"“{training.name}” starts for {found.name} on {start.isoformat()} "
            f"({template.weeks} weeks). They will see it on Telegram."
        )
    raise NotFound(f"You have no plan template called “{' '.join(rest[:-1]) or rest[0]}”.")


async def feed_where(
    container: Services, session: AsyncSession, coach: User, inv: Invocation
) -> Answer:
    choice = inv.args.strip().lower()
    if choice == "dm":
        count = await feed.set_feed_channel(session, coach.id, None)
        return _answer(f"Activities of your {count} athlete(s) now go to your DM with me.")
    if choice == "here":
        if inv.channel_name not in (
            "privategroup",
            "directmessage",
        ) and not inv.channel_id.startswith(("G", "D")):
            raise InvalidInput(
                "Athletes' activities only go to private places: run this in a private "
                "channel (with me invited), or use `/trainlytics feed dm`."
            )
        channel = None if inv.channel_id.startswith("D") else inv.channel_id
        count = await feed.set_feed_channel(session, coach.id, channel)
        return _answer(f"Activities of your {count} athlete(s) will be posted here.")
    return _answer("`/trainlytics feed here` in a private channel, or `/trainlytics feed dm`.")


async def link(container: Services, session: AsyncSession, coach: User, inv: Invocation) -> Answer:
    made = await accounts.create_link_code(session, container.clock, coach.id)
    return _answer(
        f"Send `/link {made}` to the Trainlytics bot on Telegram within 15 minutes to use "
        "it as the same person (e.g. to train as an athlete yourself)."
    )


async def link_existing(container: Services, session: AsyncSession, inv: Invocation) -> Answer:
    """This Slack user and the person who made the code (on Telegram or the console)
    become one person who trains there and coaches here (`core.people.linking`)."""
    from bot.slack.people import slack_address
    from core.people import linking

    outcome = await linking.redeem_link_code(
        session, container.clock, slack_address(inv.team_id, inv.user_id, inv.user_name), inv.args
    )
    if outcome.person is None:
        minutes = -(-int(outcome.retry_after.total_seconds()) // 60) if outcome.retry_after else 0
        refusal = outcome.refusal or linking.Refusal.UNKNOWN
        return _answer(LINK_REFUSALS[refusal].format(minutes=minutes))
    person = outcome.person
    if person.role == Role.ATHLETE:
        person.role = Role.BOTH
    await coaching.ensure_coach_profile(session, person.id)
    return _answer(f"Linked: this Slack account and {person.name}'s Telegram are one person.")


LINK_REFUSALS = {
    "unknown": "That link code is unknown, used or expired. Send /link to the Trainlytics "
    "bot for a new one.",
    "too_many": "Too many wrong codes: try again in {minutes} min.",
    "both_have_history": "Both accounts already have their own training or coaching history; "
    "joining them would mix two people, so nothing was changed.",
}


# Slack's own subcommands; every other one the conversation knows is handed to it
# (`bot.slack.conversation`): roster, athlete, invite, comment, digest, settings...
SUBCOMMANDS: dict[str, Handler] = {
    "help": help_,
    "plan": plan,
    "assign": assign,
    "feed": feed_where,
    "link": link,
}


# --- plumbing -------------------------------------------------------------------------


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"“{value}” is not a date; write it as YYYY-MM-DD.") from None


async def run_subcommand(
    container: Services, conversation: Conversation, body: dict[str, Any], client: Any
) -> Answer:
    text = (body.get("text") or "").strip()
    name, _, args = text.partition(" ")
    handler = SUBCOMMANDS.get(name.lower())
    if handler is None and face.handles(name.lower()):
        text, blocks = await face.command(conversation, body, client, name.lower(), args.strip())
        if name.lower() == "digest":
            blocks += await _digest_actions(container, body)
        return text, blocks[:MESSAGE_BLOCK_LIMIT]
    if handler is None:
        prefix = f"I don't know “{slack_escape(name)}”.\n\n" if name else ""
        return "Trainlytics commands", [section(prefix + HELP)]
    inv = Invocation(
        team_id=body.get("team_id", ""),
        user_id=body["user_id"],
        user_name=body.get("user_name", ""),
        channel_id=body.get("channel_id", ""),
        channel_name=body.get("channel_name", ""),
        args=args.strip(),
        trigger_id=body.get("trigger_id", ""),
        client=client,
    )
    try:
        async with container.db.unit_of_work() as session:
            if handler is link and inv.args:
                # Joining an existing person: do not create a second one for this user.
                return await link_existing(container, session, inv)
            coach = await coach_for(
                session, inv.team_id, inv.user_id, inv.user_name or None, client=client
            )
            return await handler(container, session, coach, inv)
    except DomainError as refused:
        return _answer(refused.message)


async def _digest_actions(container: Services, body: dict[str, Any]) -> list[dict[str, Any]]:
    from bot.slack.digest import action_rows

    async with container.db.unit_of_work() as session:
        coach = await coach_for(session, body.get("team_id", ""), body["user_id"])
        return await action_rows(session, container.clock, coach)


def register(app: AsyncApp, container: Services) -> None:
    from bot.slack import modals

    conversation = face.conversation_for(container.db, container.clock, container.settings)

    @app.command(COMMAND)
    async def on_command(ack: Any, body: dict[str, Any], client: Any) -> None:
        text, blocks = await run_subcommand(container, conversation, body, client)
        await ack(text=fallback(text), blocks=blocks)

    @app.action(re.compile(f"^{re.escape(CALLBACK_ACTION_PREFIX)}"))
    async def on_conversation_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, respond: Any
    ) -> None:
        """A button the conversation drew: its answer replaces the pressed message when
        it was the command's private answer, else comes as a DM."""
        await ack()
        text, blocks = await face.button(conversation, body, action.get("value", ""))
        if body.get("response_url"):
            await respond(text=fallback(text), blocks=blocks, replace_original=False)
        else:
            await client.chat_postMessage(
                channel=body["user"]["id"], text=fallback(text), blocks=blocks
            )

    modals.register(app, container, conversation)
