"""Buttons that open modals (App Home, digest) and what the modals submit.

The plan modal validates in core (WorkoutSpec, workout_structure) and in the step reader;
an error is shown next to the field it concerns (`response_action: errors`) and nothing
is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.conversation.callbacks import Scope, cb
from bot.conversation.dispatcher import Conversation
from bot.conversation.handlers.coach import subject_label
from bot.conversation.validation import field_errors, refusal_text
from bot.slack import cards
from bot.slack import conversation as face
from bot.slack.blocks import fallback, slack_escape
from bot.slack.people import coach_for
from bot.slack.step_syntax import parse_steps
from core.coaching import coach_view, comments
from core.coaching.relationships import require_permission
from core.db.models import Activity, Workout
from core.enums import Permission
from core.errors import DomainError, InvalidFields, NotFound
from core.planning import workouts as planning
from core.services import Services
from core.timeutil import local_date
from core.words import say


def _id(value: str) -> int:
    """An id from a button's value or a modal's metadata; junk reads as no id at all."""
    return int(value) if value.isdigit() else 0


def _value(state: dict[str, Any], block: str) -> Any:
    element = state.get(block, {}).get("value", {})
    kind = element.get("type")
    if kind == "static_select":
        return (element.get("selected_option") or {}).get("value")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "checkboxes":
        return [o.get("value") for o in element.get("selected_options") or []]
    return element.get("value")


# The plan modal's input blocks: a refusal for any other field shows under Steps.
PLAN_FIELDS = ("sport", "date", "title", "steps")


def plan_errors(locale: str, exc: DomainError) -> dict[str, str]:
    """Each refusal as a sentence in the coach's language, under the field it concerns."""
    if not isinstance(exc, InvalidFields):
        return {"title": exc.message[:2000]}
    out: dict[str, str] = {}
    for field, sentence in field_errors(locale, exc).items():
        block = field if field in PLAN_FIELDS else "steps"
        out[block] = " ".join(filter(None, (out.get(block), sentence)))[:2000]
    return out


async def submit_plan(container: Services, body: dict[str, Any]) -> dict[str, str] | str:
    """Errors by block id, or the confirmation text once the workout is stored."""
    view = body["view"]
    state = view["state"]["values"]
    async with container.db.unit_of_work() as session:
        coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
        locale = coach.locale
    try:
        on = date.fromisoformat(_value(state, "date") or "")
    except ValueError:
        return {"date": say(locale, "err_date_missing")}
    try:
        spec = planning.WorkoutSpec(
            sport=_value(state, "sport") or "",
            title=_value(state, "title") or "",
            structure=parse_steps(_value(state, "steps") or ""),
            key_workout="key" in (_value(state, "key") or []),
        )
        async with container.db.unit_of_work() as session:
            athlete = await coach_view.coached_athlete(
                session, coach.id, _id(view["private_metadata"])
            )
            workout = await planning.create_workout(
                session, container.clock, coach.id, athlete.id, on, spec
            )
            return f"Planned “{workout.title}” for {athlete.name} on {on.isoformat()}."
    except DomainError as exc:
        return plan_errors(locale, exc)


async def submit_comment(container: Services, body: dict[str, Any]) -> dict[str, str] | str:
    """The comment modal's text on the athlete's latest session, or on the workout the
    digest row named; confirmed in the conversation's words (`comment_sent`)."""
    view = body["view"]
    text = _value(view["state"]["values"], "text") or ""
    athlete_id, _, workout = view["private_metadata"].partition(":")
    try:
        async with container.db.unit_of_work() as session:
            coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
            athlete = await coach_view.coached_athlete(session, coach.id, _id(athlete_id))
            subject = (
                await planning.get_workout(session, coach.id, int(workout))
                if workout and workout != "0"
                else await coach_view.comment_subject(session, container.clock, coach.id, athlete)
            )
            on = {"activity_id" if isinstance(subject, Activity) else "workout_id": subject.id}
            # add_comment writes the outbox row that carries the comment to the athlete.
            await comments.add_comment(session, container.clock, coach.id, text, **on)
            label = subject_label(coach.locale, subject)
            return say(coach.locale, "comment_sent", name=athlete.name, subject=label)
    except DomainError as exc:
        return {"text": exc.message}


async def submit_move(container: Services, body: dict[str, Any]) -> dict[str, str] | str:
    view = body["view"]
    try:
        to = date.fromisoformat(_value(view["state"]["values"], "date") or "")
    except ValueError:
        async with container.db.unit_of_work() as session:
            coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
            return {"date": say(coach.locale, "err_date_missing")}
    try:
        async with container.db.unit_of_work() as session:
            coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
            workout = await planning.move_workout(
                session, container.clock, coach.id, int(view["private_metadata"]), to
            )
            return f"Moved “{workout.title}” to {to.isoformat()}."
    except DomainError as exc:
        return {"date": exc.message}


async def open_for_athlete(
    container: Services,
    body: dict[str, Any],
    client: Any,
    what: str,
    value: str,
    conversation: Conversation | None = None,
) -> str | None:
    """Open the modal a roster or digest button asks for; a refusal text otherwise.

    "Open" is the conversation's roster button (the athlete card every face shows), drawn
    in a modal; the others collect fields (plan, comment, move)."""
    athlete_id, _, workout_id = value.partition(":")
    if what == "open" and conversation is not None:
        return await _open_card(conversation, body, client, _id(athlete_id))
    try:
        async with container.db.unit_of_work() as session:
            coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
            # Outside the coach's relationships, an id answers like one that never was.
            athlete = await coach_view.coached_athlete(session, coach.id, _id(athlete_id))
            if what == "plan":
                await require_permission(session, coach.id, athlete.id, Permission.PLAN_WORKOUTS)
                today = local_date(container.clock.now(), athlete.timezone)
                view = cards.plan_modal(athlete.id, athlete.name, today)
            elif what == "comment":
                await require_permission(session, coach.id, athlete.id, Permission.COMMENT)
                view = cards.text_modal(
                    cards.COMMENT_CALLBACK,
                    "Comment",
                    "Your comment",
                    f"{athlete.id}:{workout_id or 0}",
                    f"To *{slack_escape(athlete.name)}*, delivered on Telegram.",
                )
            else:  # move
                await require_permission(session, coach.id, athlete.id, Permission.PLAN_WORKOUTS)
                workout = await session.get(Workout, _id(workout_id))
                if workout is None or workout.athlete_id != athlete.id:
                    raise NotFound(f"{athlete.name} has no planned workout to move.")
                view = cards.date_modal(
                    cards.MOVE_CALLBACK,
                    "Move workout",
                    str(workout.id),
                    f"*{slack_escape(workout.title)}* ({slack_escape(athlete.name)}), "
                    f"now on {workout.scheduled_date}.",
                    workout.scheduled_date,
                )
    except DomainError as exc:
        return exc.message
    await client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


async def _open_card(
    conversation: Conversation, body: dict[str, Any], client: Any, athlete_id: int
) -> str | None:
    """The athlete card of the conversation's roster button, drawn in a modal. Outside
    the coach's relationships the id answers like one that never was (checked first, so
    a refusal is answered as a message rather than drawn as a card)."""
    locale = "en"
    try:
        async with conversation.db.unit_of_work() as session:
            coach = await coach_for(session, body["team"]["id"], body["user"]["id"])
            await coach_view.coached_athlete(session, coach.id, athlete_id)
            locale = coach.locale
    except DomainError as exc:
        return refusal_text(locale, exc)
    pressed = {**body, "container": {}}  # a modal, not an edit of the pressed message
    _text, blocks = await face.button(
        conversation, pressed, cb(Scope.ROSTER, "open", athlete_id).pack()
    )
    view = {
        "type": "modal",
        "title": cards.plain("Trainlytics", 24),
        "close": cards.plain(say(locale, "btn_close"), 24),
        "blocks": blocks,
    }
    await client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


def register(app: AsyncApp, container: Services, conversation: Conversation) -> None:
    async def answer(ack: Any, outcome: dict[str, str] | str, client: Any, user: str) -> None:
        if isinstance(outcome, dict):
            await ack(response_action="errors", errors=outcome)
            return
        await ack()
        await client.chat_postMessage(channel=user, text=fallback(outcome))

    @app.view(cards.PLAN_CALLBACK)
    async def on_plan(ack: Any, body: dict[str, Any], client: Any) -> None:
        await answer(ack, await submit_plan(container, body), client, body["user"]["id"])

    @app.view(cards.COMMENT_CALLBACK)
    async def on_comment(ack: Any, body: dict[str, Any], client: Any) -> None:
        await answer(ack, await submit_comment(container, body), client, body["user"]["id"])

    @app.view(cards.MOVE_CALLBACK)
    async def on_move(ack: Any, body: dict[str, Any], client: Any) -> None:
        await answer(ack, await submit_move(container, body), client, body["user"]["id"])

    for action_id, what in (
        (cards.OPEN_ACTION, "open"),
        (cards.PLAN_ACTION, "plan"),
        (cards.COMMENT_ACTION, "comment"),
    ):
        app.action(action_id)(_opener(container, what, conversation))


def _opener(container: Services, what: str, conversation: Conversation) -> Any:
    async def on_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any
    ) -> None:
        await ack()
        refusal = await open_for_athlete(
            container, body, client, what, action.get("value", ""), conversation
        )
        if refusal:
            await client.chat_postMessage(channel=body["user"]["id"], text=fallback(refusal))

    return on_button
