"""The coach's activity feed and the comment bridge.

Each completed activity of a coach's athlete is posted once, in the coach's DM or in the
private channel the coach chose (`/trainlytics feed here`): Strava-sourced data never goes
where other athletes can read it. The post is remembered as a `MessageRef`, so a later
update edits it, a deletion (or the athlete making it private) removes it, and the
athlete's comments and check-in answers land in its thread.

A coach's reply in that thread becomes a coach comment on the activity (core.coaching.comments),
which the outbox delivers to the athlete on Telegram; the athlete's answer comes back as
an `athlete_comment` notification and is posted into the same thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.slack.blocks import context, fallback, fields, section, slack_escape
from bot.slack.people import coach_for
from core.activities.ingest.notices import activity_summary
from core.coaching import comments
from core.db.models import Activity, CoachingRelationship, MessageRef, User
from core.enums import Platform, RelationshipStatus
from core.errors import DomainError
from core.outbox.sending import (
    ChatTarget,
    NotificationView,
    PermanentFailure,
    SentReceipt,
    TemporaryFailure,
)
from core.planning import matching
from core.services import Services

if TYPE_CHECKING:
    from bot.slack.sender import SlackPoster, SlackSender

log = logging.getLogger(__name__)

SLACK = str(Platform.SLACK)
COLOUR_EMOJI = {"green": "🟢", "yellow": "🟡", "red": "🔴"}


# --- where posts go -------------------------------------------------------------------


async def feed_channel(session: AsyncSession, coach_id: int, athlete_id: int) -> str | None:
    """The private channel chosen for this athlete's posts, else the coach's newest choice;
    None means the coach's DM."""
    rows = await session.scalars(
        select(CoachingRelationship)
        .where(
            CoachingRelationship.coach_id == coach_id,
            CoachingRelationship.status == RelationshipStatus.ACTIVE,
            CoachingRelationship.slack_channel_id.is_not(None),
        )
        .order_by(CoachingRelationship.id.desc())
    )
    chosen = list(rows)
    for relationship in chosen:
        if relationship.athlete_id == athlete_id:
            return relationship.slack_channel_id
    return chosen[0].slack_channel_id if chosen else None


async def set_feed_channel(session: AsyncSession, coach_id: int, channel: str | None) -> int:
    """Send every current athlete's posts to `channel` (None: back to the DM)."""
    rows = list(
        await session.scalars(
            select(CoachingRelationship).where(
                CoachingRelationship.coach_id == coach_id,
                CoachingRelationship.status == RelationshipStatus.ACTIVE,
            )
        )
    )
    for relationship in rows:
        relationship.slack_channel_id = channel
    await session.flush()
    return len(rows)


async def _target_channel(
    session: AsyncSession,
    poster: SlackPoster,
    recipient: ChatTarget,
    coach_id: int,
    athlete_id: int,
) -> str:
    chosen = await feed_channel(session, coach_id, athlete_id)
    return chosen or await poster.dm_channel(recipient.chat_id)


async def refs_for(
    session: AsyncSession,
    coach_id: int,
    *,
    activity_id: int | None = None,
    workout_id: int | None = None,
) -> list[MessageRef]:
    conditions = []
    if activity_id is not None:
        conditions.append(MessageRef.activity_id == activity_id)
    if workout_id is not None:
        conditions.append(MessageRef.workout_id == workout_id)
    if not conditions:
        return []
    rows = await session.scalars(
        select(MessageRef)
        .where(MessageRef.platform == SLACK, MessageRef.user_id == coach_id, or_(*conditions))
        .order_by(MessageRef.id)
    )
    return list(rows)


# --- rendering ------------------------------------------------------------------------


def _duration(seconds: float | None) -> str:
    if not seconds:
        return "–"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def _distance(metres: float | None, units: str) -> str | None:
    if not metres:
        return None
    if units == "imperial":
        return f"{metres / 1609.344:.2f} mi"
    return f"{metres / 1000:.2f} km"


def activity_blocks(
    summary: dict[str, Any], athlete_name: str, units: str
) -> tuple[str, list[dict[str, Any]]]:
    name = summary.get("name") or summary.get("sport", "activity").replace("_", " ").title()
    workout = summary.get("workout") or {}
    colour = workout.get("compliance_color")
    mark = COLOUR_EMOJI.get(colour or "", "⚪")
    title = (
        f"{mark} *{slack_escape(athlete_name)}* — {slack_escape(name)} "
        f"({summary.get('local_date')})"
    )
    numbers = [f"*Time*\n{_duration(summary.get('moving_s'))}"]
    if (distance := _distance(summary.get("distance_m"), units)) is not None:
        numbers.append(f"*Distance*\n{distance}")
    if summary.get("load") is not None:
        numbers.append(f"*Load*\n{summary['load']:.0f}")
    if summary.get("intensity") is not None:
        numbers.append(f"*Intensity*\n{summary['intensity']:.2f}")
    if summary.get("avg_hr"):
        numbers.append(f"*Avg HR*\n{summary['avg_hr']:.0f} bpm")
    if summary.get("weighted_power") or summary.get("avg_power"):
        watts = summary.get("weighted_power") or summary.get("avg_power")
        numbers.append(f"*Power*\n{watts:.0f} W")
    blocks = [section(title), fields(*numbers)]
    if workout:
        pct = workout.get("compliance_pct")
        done = f"{pct:.0f} % of plan" if pct is not None else "matched"
        planned = slack_escape(str(workout.get("title")))
        blocks.append(context(f"{mark} Planned: {planned} — {done} ({colour or '–'})"))
    else:
        blocks.append(context("Unplanned session"))
    blocks.append(context("Reply in this thread to comment; the athlete gets it on Telegram."))
    fallback = f"{athlete_name}: {name} {_duration(summary.get('moving_s'))}"
    return fallback, blocks


# --- delivery -------------------------------------------------------------------------


async def deliver_activity(
    sender: SlackSender, poster: SlackPoster, recipient: ChatTarget, view: NotificationView
) -> SentReceipt:
    """Post the activity once; a later notice for the same activity edits the post."""
    return await _show_activity(sender, poster, recipient, view, int(view.payload["activity_id"]))


async def deliver_activity_changed(
    sender: SlackSender, poster: SlackPoster, recipient: ChatTarget, view: NotificationView
) -> SentReceipt:
    """core.activities.ingest's change notice (`sync_status` with `activity_changed`): edit the feed
    post on "updated", take it down on "deleted" or "hidden" (the session went private).
    A change to a session that was never posted posts nothing. Other sync notices are
    plain messages."""
    if not view.payload.get("activity_changed"):
        return await deliver_generic(sender, poster, recipient, view)
    activity_id = int(view.payload["activity_changed"])
    if view.payload.get("change") == "updated":
        return await _show_activity(sender, poster, recipient, view, activity_id, post=False)
    async with sender.db.unit_of_work() as session:
        refs = await refs_for(session, view.person.user_id, activity_id=activity_id)
        return await _remove(session, poster, [r for r in refs if r.kind == "activity"])


async def _show_activity(
    sender: SlackSender,
    poster: SlackPoster,
    recipient: ChatTarget,
    view: NotificationView,
    activity_id: int,
    *,
    post: bool = True,
) -> SentReceipt:
    """Edit the post standing for the activity, or post it (when `post`); a deleted or
    private activity's post is taken down."""
    async with sender.db.unit_of_work() as session:
        coach_id = view.person.user_id
        activity = await session.get(Activity, activity_id)
        existing = await refs_for(session, coach_id, activity_id=activity_id)
        existing = [r for r in existing if r.kind == "activity"]
        if activity is None or activity.deleted_at is not None or activity.is_private:
            return await _remove(session, poster, existing)
        athlete = await session.get_one(User, activity.user_id)
        workout = await matching.matched_workout(session, activity.id)
        coach = await session.get_one(User, coach_id)
        text, blocks = activity_blocks(
            activity_summary(activity, workout).to_row(), athlete.name, coach.units
        )
        if existing:
            ref = existing[0]
            await poster.update(ref.chat_id, ref.message_id, text, blocks)
            return SentReceipt(ref.message_id)
        if not post:
            return SentReceipt(None)
        channel = await _target_channel(session, poster, recipient, coach_id, athlete.id)
        posted = await poster.post(channel, text, blocks)
        session.add(
            MessageRef(
                platform=SLACK,
                chat_id=posted["channel"],
                message_id=posted["ts"],
                user_id=coach_id,
                athlete_id=athlete.id,
                activity_id=activity.id,
                notification_id=view.notification_id,
                kind="activity",
            )
        )
        return SentReceipt(posted["ts"])


async def _remove(
    session: AsyncSession, poster: SlackPoster, refs: list[MessageRef]
) -> SentReceipt:
    for ref in refs:
        await poster.delete(ref.chat_id, ref.message_id)
    if refs:
        await session.execute(delete(MessageRef).where(MessageRef.id.in_([r.id for r in refs])))
    return SentReceipt(refs[0].message_id if refs else None)


async def _post_in_thread(
    sender: SlackSender,
    poster: SlackPoster,
    recipient: ChatTarget,
    view: NotificationView,
    text: str,
    blocks: list[dict[str, Any]],
    kind: str,
) -> SentReceipt:
    """In the thread of the post standing for the activity or workout, else a new post
    that stands for it (so the coach's reply to it reaches the athlete)."""
    payload = view.payload
    activity_id, workout_id = payload.get("activity_id"), payload.get("workout_id")
    async with sender.db.unit_of_work() as session:
        coach_id = view.person.user_id
        refs = await refs_for(session, coach_id, activity_id=activity_id, workout_id=workout_id)
        if refs:
            parent = refs[0]
            thread = parent.thread_id or parent.message_id
            posted = await poster.post(parent.chat_id, text, blocks, thread_ts=thread)
            return SentReceipt(posted["ts"])
        athlete_id = int(payload["athlete_id"])
        channel = await _target_channel(session, poster, recipient, coach_id, athlete_id)
        posted = await poster.post(channel, text, blocks)
        if activity_id or workout_id:
            session.add(
                MessageRef(
                    platform=SLACK,
                    chat_id=posted["channel"],
                    message_id=posted["ts"],
                    user_id=coach_id,
                    athlete_id=athlete_id,
                    activity_id=activity_id if not workout_id else None,
                    workout_id=workout_id,
                    notification_id=view.notification_id,
                    kind=kind,
                )
            )
        return SentReceipt(posted["ts"])


async def deliver_athlete_comment(
    sender: SlackSender, poster: SlackPoster, recipient: ChatTarget, view: NotificationView
) -> SentReceipt:
    author = view.payload.get("author_name") or "Your athlete"
    body = str(view.payload.get("body", ""))
    quoted = "\n".join(f"> {line}" for line in slack_escape(body).splitlines() or [""])
    text = f"*{slack_escape(author)}* replied:\n{quoted}"
    return await _post_in_thread(
        sender, poster, recipient, view, f"{author}: {body}"[:3000], [section(text)], "comment"
    )


async def deliver_check_in(
    sender: SlackSender, poster: SlackPoster, recipient: ChatTarget, view: NotificationView
) -> SentReceipt:
    p = view.payload
    parts = []
    if p.get("rpe") is not None:
        parts.append(f"RPE {p['rpe']}/10")
    if p.get("feel") is not None:
        parts.append(f"feel {p['feel']}/5")
    if p.get("pain"):
        parts.append("⚠️ pain" + (f": {p['pain_note']}" if p.get("pain_note") else ""))
    elif p.get("pain") is False:
        parts.append("no pain")
    text = "Check-in: " + (", ".join(parts) or "answered")
    return await _post_in_thread(
        sender, poster, recipient, view, text, [section(slack_escape(text))], "check_in"
    )


async def deliver_generic(
    sender: SlackSender, poster: SlackPoster, recipient: ChatTarget, view: NotificationView
) -> SentReceipt:
    """Other kinds (athlete joined, workout done or skipped, weekly summary) in the DM."""
    text = _generic_text(view)
    if view.kind == "relationship" and view.payload.get("athlete_id"):
        async with sender.db.unit_of_work() as session:
            athlete = await session.get(User, int(view.payload["athlete_id"]))
        if athlete is not None:
            text = f"{athlete.name} joined you as your athlete. `/trainlytics roster` shows them."
    channel = await poster.dm_channel(recipient.chat_id)
    if view.edit_of and await _edited(poster, channel, view.edit_of, text):
        return SentReceipt(view.edit_of)  # a progress figure: the same message, updated
    posted = await poster.post(channel, text, [section(slack_escape(text))])
    if view.image_png:
        await poster.upload_png(
            channel, view.image_png, "load-chart.png", "Weekly load", thread_ts=posted["ts"]
        )
    return SentReceipt(posted["ts"])


# chat.update answers these when the message is gone or too old: post a new one instead.
_NOT_EDITABLE = ("message_not_found", "cant_update_message", "edit_window_closed")


async def _edited(poster: SlackPoster, channel: str, ts: str, text: str) -> bool:
    try:
        await poster.update(channel, ts, text, [section(slack_escape(text))])
    except (PermanentFailure, TemporaryFailure) as exc:
        if not any(code in str(exc) for code in _NOT_EDITABLE):
            raise
        return False
    return True


def _generic_text(view: NotificationView) -> str:
    p = view.payload
    match view.kind:
        case "relationship":
            return "A new athlete joined you. `/trainlytics roster` shows them."
        case "workout_completed":
            return f"Workout done: {p.get('title')}."
        case "workout_changed":
            if p.get("skipped"):
                reason = f" ({p['reason']})" if p.get("reason") else ""
                return f"Workout skipped: {p.get('title')}{reason}."
            return f"Workout moved: {p.get('title')} from {p.get('from')} to {p.get('to')}."
        case "weekly_summary":
            return "Your week in training: load chart below."
    return str(p.get("text") or view.kind.replace("_", " ").capitalize())


# --- thread replies from the coach ----------------------------------------------------


def register(app: AsyncApp, container: Services) -> None:
    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        thread_ts = event.get("thread_ts")
        if (
            not thread_ts
            or thread_ts == event.get("ts")
            or event.get("bot_id")
            or event.get("subtype")
            or not event.get("user")
        ):
            return
        await relay_thread_reply(container, client, body.get("team_id", ""), event)


async def relay_thread_reply(
    container: Services, client: Any, team_id: str, event: dict[str, Any]
) -> None:
    """A coach's reply under a post that stands for an activity or workout → a comment."""
    channel, thread_ts, user = event["channel"], event["thread_ts"], event["user"]
    try:
        async with container.db.unit_of_work() as session:
            parent = await session.scalar(
                select(MessageRef).where(
                    MessageRef.platform == SLACK,
                    MessageRef.chat_id == channel,
                    MessageRef.message_id == thread_ts,
                )
            )
            if parent is None or (parent.activity_id is None and parent.workout_id is None):
                return
            coach = await coach_for(session, team_id, user)
            await comments.add_comment(
                session,
                container.clock,
                coach.id,
                event.get("text", ""),
                activity_id=parent.activity_id if parent.workout_id is None else None,
                workout_id=parent.workout_id,
            )
    except DomainError as refused:
        await client.chat_postEphemeral(
            channel=channel, user=user, thread_ts=thread_ts, text=fallback(refused.message)
        )
