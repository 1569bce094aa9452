"""The coach's daily digest (exceptions only) and its buttons.

core.schedules.attention writes the digest (athletes with a missed key workout, pain, form below
the alert threshold, stale sync...); here it becomes one message with, per athlete,
Comment, Move, Reduce 20 % and Snooze. `/trainlytics digest` is the conversation's
/digest (`bot.slack.conversation`), in the same words.

Snooze (core.coaching.relationships.snooze_athlete) leaves the athlete out of the digests
until the day after tomorrow, and replaces their row's buttons in the pressed message with a note.
Reduce 20 % is core.planning.workouts.scale_workout with a factor of 0.8.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.cards import day_label
from bot.slack.blocks import actions, button, context, fallback, header, section, slack_escape
from bot.slack.cards import flag_text
from bot.slack.people import coach_for
from core.clock import Clock
from core.coaching import relationships as coaching
from core.db.models import User, Workout
from core.enums import WorkoutStatus
from core.errors import DomainError
from core.outbox.sending import ChatTarget, NotificationView, SentReceipt
from core.planning import workouts as planning
from core.schedules.attention import coach_attention
from core.services import Services
from core.timeutil import local_date
from core.words import say

if TYPE_CHECKING:
    from bot.slack.sender import SlackPoster, SlackSender

COMMENT, MOVE, REDUCE, SNOOZE = "digest_comment", "digest_move", "digest_reduce", "digest_snooze"
REDUCE_FACTOR = 0.8
MAX_ATHLETES = 20  # three blocks each within the 50-block limit of a message


async def _workout_for(
    session: AsyncSession, clock: Clock, athlete: User, reasons: list[dict[str, Any]]
) -> int:
    """The workout Move/Reduce act on: the missed key workout, else the next planned one."""
    for reason in reasons:
        if reason.get("workout_id"):
            return int(reason["workout_id"])
    today = local_date(clock.now(), athlete.timezone)
    upcoming = await session.scalar(
        select(Workout.id)
        .where(
            Workout.athlete_id == athlete.id,
            Workout.scheduled_date >= today,
            Workout.status == WorkoutStatus.PLANNED,
        )
        .order_by(Workout.scheduled_date, Workout.id)
        .limit(1)
    )
    return int(upcoming or 0)


def _row(
    athlete_id: int, name: str, reasons: list[dict[str, Any]], workout_id: int, locale: str
) -> list[dict[str, Any]]:
    lines = "\n".join(f"• {flag_text(locale, r)}" for r in reasons)
    return [
        section(f"*{slack_escape(name)}*\n{lines}", block_id=f"row:{athlete_id}"),
        _actions(athlete_id, workout_id),
    ]


async def action_rows(session: AsyncSession, clock: Clock, coach: User) -> list[dict[str, Any]]:
    """Under `/trainlytics digest` (the conversation's /digest), the digest's Slack
    actions for each athlete it lists: Comment, Move, Reduce 20 % and Snooze."""
    blocks: list[dict[str, Any]] = []
    for item in (await coach_attention(session, clock, coach.id))[:MAX_ATHLETES]:
        athlete = await session.get(User, int(item["athlete_id"]))
        if athlete is None:
            continue
        workout_id = await _workout_for(session, clock, athlete, item["reasons"])
        blocks += [
            context(f"*{slack_escape(athlete.name)}*"),
            _actions(athlete.id, workout_id),
        ]
    return blocks


def _actions(athlete_id: int, workout_id: int) -> dict[str, Any]:
    value = f"{athlete_id}:{workout_id}"
    buttons = [button("Comment", COMMENT, value)]
    if workout_id:
        buttons += [button("Move", MOVE, value), button("Reduce 20 %", REDUCE, value)]
    buttons.append(button("Snooze", SNOOZE, value))
    return actions(*buttons, block_id=f"act:{athlete_id}")


async def digest_blocks(
    session: AsyncSession,
    clock: Clock,
    day: str,
    athletes: list[dict[str, Any]],
    locale: str = "en",
) -> tuple[str, list[dict[str, Any]]]:
    if not athletes:
        text = say(locale, "digest_none")
        return text, [section(text)]
    on = _day(day)
    title = say(locale, "dg_title", day=day_label(on, locale) if on else day)
    blocks: list[dict[str, Any]] = [header(title)]
    for item in athletes[:MAX_ATHLETES]:
        athlete = await session.get(User, int(item["athlete_id"]))
        if athlete is None:
            continue
        workout_id = await _workout_for(session, clock, athlete, item["reasons"])
        blocks += _row(athlete.id, athlete.name, item["reasons"], workout_id, locale)
    if len(athletes) > MAX_ATHLETES:
        blocks.append(context(f"…and {len(athletes) - MAX_ATHLETES} more: see App Home."))
    return say(locale, "dg_count", count=len(athletes)), blocks


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def deliver_digest(
    sender: SlackSender, poster: SlackPoster, recipient: ChatTarget, view: NotificationView
) -> SentReceipt:
    async with sender.db.unit_of_work() as session:
        text, blocks = await digest_blocks(
            session,
            sender.clock,
            str(view.payload.get("date")),
            list(view.payload["athletes"]),
            view.person.locale,
        )
    channel = await poster.dm_channel(recipient.chat_id)
    posted = await poster.post(channel, text, blocks)
    return SentReceipt(posted["ts"])


def _replace_row(blocks: list[dict[str, Any]], athlete_id: int, note: str) -> list[dict[str, Any]]:
    """The message's blocks with this athlete's buttons replaced by a short note."""
    out = []
    for block in blocks:
        if block.get("block_id") == f"act:{athlete_id}":
            out.append(context(slack_escape(note)))
        else:
            out.append(block)
    return out


def register(app: AsyncApp, container: Services) -> None:
    from bot.slack.modals import open_for_athlete

    async def update_message(
        body: dict[str, Any], client: Any, respond: Any, note: str, athlete_id: int
    ) -> None:
        message = body.get("message") or {}
        blocks = _replace_row(message.get("blocks") or [], athlete_id, note)
        # The message's own text comes back from Slack as sent, already escaped.
        text = message.get("text") or fallback(note)
        box = body.get("container") or {}
        if box.get("is_ephemeral") or not box.get("message_ts"):
            await respond(text=text, blocks=blocks, replace_original=True)
        else:
            await client.chat_update(
                channel=box["channel_id"], ts=box["message_ts"], text=text, blocks=blocks
            )

    @app.action(COMMENT)
    async def on_comment(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
    ) -> None:
        await ack()
        refusal = await open_for_athlete(container, body, client, "comment", action["value"])
        if refusal:
            await client.chat_postMessage(channel=body["user"]["id"], text=fallback(refusal))

    @app.action(MOVE)
    async def on_move(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        await ack()
        refusal = await open_for_athlete(container, body, client, "move", action["value"])
        if refusal:
            await client.chat_postMessage(channel=body["user"]["id"], text=fallback(refusal))

    @app.action(REDUCE)
    async def on_reduce(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, respond: Any
    ) -> None:
        await ack()
        athlete_id, _, workout_id = action["value"].partition(":")
        try:
            async with container.db.unit_of_work() as session:
                coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
                workout = await planning.scale_workout(
                    session, container.clock, coach.id, int(workout_id), REDUCE_FACTOR
                )
                note = f"✂️ “{workout.title}” reduced by 20 %."
        except DomainError as exc:
            note = exc.message
        await update_message(body, client, respond, note, int(athlete_id))

    @app.action(SNOOZE)
    async def on_snooze(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, respond: Any
    ) -> None:
        await ack()
        athlete_id = int(action["value"].partition(":")[0])
        try:
            async with container.db.unit_of_work() as session:
                coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
                until = await coaching.snooze_athlete(
                    session, container.clock, coach.id, athlete_id
                )
                note = f"😴 Snoozed: back in your digest after {until:%a %d %b}."
        except DomainError as exc:
            note = exc.message
        await update_message(body, client, respond, note, athlete_id)
