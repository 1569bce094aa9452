"""Modals: Slack's way to collect a form's fields, and nothing more.

A reply asking for fields (`bot.conversation.types.FormAsk`: plan a workout, comment,
move a workout) opens its modal (`open_forms`); App Home and digest buttons become the
conversation's roster buttons (`open_for_athlete`), so the same handler checks the
relationship and the permission before any modal opens. A submission becomes the
conversation's FORM request (`PlanForm`, `CommentForm`, `MoveForm`), handled by the same
handlers as the chat's `/plan`, `/comment` and `/move`; a refusal is shown next to the
field it concerns (`response_action: errors`) and nothing is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.conversation.callbacks import Scope, cb
from bot.conversation.dispatcher import Conversation
from bot.conversation.types import (
    CommentForm,
    Form,
    FormAsk,
    MoveForm,
    PlanForm,
    Reply,
    Request,
    RequestKind,
)
from bot.conversation.validation import refusal_text
from bot.slack import cards
from bot.slack import conversation as face
from bot.slack.blocks import context, fallback, slack_escape
from bot.slack.people import coach_for
from core.coaching import coach_view
from core.errors import DomainError
from core.services import Services
from core.words import format_date, has_key, say


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


def _day(state: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(_value(state, "date") or "")
    except ValueError:
        return None


# --- opening ----------------------------------------------------------------------------


def modal_for(ask: FormAsk) -> dict[str, Any]:
    """The modal that collects `ask`'s fields, in the person's language."""
    t = ask.locale
    name = f"*{slack_escape(ask.athlete_name)}*"
    if ask.form == "plan":
        view = cards.plan_modal(ask.athlete_id, ask.athlete_name, ask.day)
        view["blocks"] = [
            context(say(t, "modal_plan_for", name=name)) if b.get("type") == "context" else b
            for b in view["blocks"]
        ]
        for block in view["blocks"]:
            if block.get("type") == "input" and has_key(f"field_{block.get('block_id')}"):
                block["label"] = cards.plain(say(t, f"field_{block['block_id']}"))
        return _framed(view, t, "modal_plan_title", "modal_plan_submit")
    if ask.form == "comment":
        view = cards.text_modal(
            cards.COMMENT_CALLBACK,
            say(t, "modal_comment_title"),
            say(t, "modal_comment_label"),
            f"{ask.athlete_id}:{ask.workout_id or 0}",
            say(t, "modal_comment_intro", name=name),
        )
        return _framed(view, t, "modal_comment_title", "modal_send")
    view = cards.date_modal(
        cards.MOVE_CALLBACK,
        say(t, "modal_move_title"),
        str(ask.workout_id or 0),
        say(
            t,
            "modal_move_intro",
            title=f"*{slack_escape(ask.workout_title)}*",
            name=slack_escape(ask.athlete_name),
            day=format_date(ask.day, t, "EEE d MMM"),
        ),
        ask.day,
    )
    for block in view["blocks"]:
        if block.get("block_id") == "date":
            block["label"] = cards.plain(say(t, "modal_move_label"))
    return _framed(view, t, "modal_move_title", "btn_move")


def _framed(view: dict[str, Any], locale: str, title: str, submit: str) -> dict[str, Any]:
    """The modal's title, submit and close labels in the person's language."""
    view["title"] = cards.plain(say(locale, title), 24)
    view["submit"] = cards.plain(say(locale, submit), 24)
    view["close"] = cards.plain(say(locale, "btn_cancel"), 24)
    return view


async def open_forms(client: Any, trigger_id: str, replies: list[Reply]) -> None:
    """Open the modal of the first reply asking for fields (a trigger opens one view)."""
    for reply in replies:
        if reply.form is not None and trigger_id:
            await client.views_open(trigger_id=trigger_id, view=modal_for(reply.form))
            return


async def open_for_athlete(
    container: Services,
    body: dict[str, Any],
    client: Any,
    what: str,
    value: str,
    conversation: Conversation | None = None,
) -> str | None:
    """An App Home or digest button ("athlete[:workout]" value): "open" draws the
    athlete card in a modal; "plan", "comment" and "move" are the conversation's roster
    buttons, whose answer opens the modal. A refusal comes back as text (for a DM)."""
    conversation = conversation or face.conversation_for(
        container.db, container.clock, container.settings, jobs=container.jobs
    )
    athlete_id, _, workout_id = value.partition(":")
    if what == "open":
        return await _open_card(conversation, body, client, _id(athlete_id))
    args = (_id(athlete_id),) if what == "plan" else (_id(athlete_id), _id(workout_id))
    replies = await face.button(conversation, body, cb(Scope.ROSTER, what, *args).pack())
    if any(reply.form is not None for reply in replies):
        await open_forms(client, body["trigger_id"], replies)
        return None
    return face.render(replies)[0]


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
            locale = coach.locale
            await coach_view.coached_athlete(session, coach.id, athlete_id)
    except DomainError as exc:
        return refusal_text(locale, exc)
    pressed = {**body, "container": {}}  # a modal, not an edit of the pressed message
    replies = await face.button(conversation, pressed, cb(Scope.ROSTER, "open", athlete_id).pack())
    _text, blocks = face.render(replies)
    view = {
        "type": "modal",
        "title": cards.plain("Trainlytics", 24),
        "close": cards.plain(say(locale, "btn_close"), 24),
        "blocks": blocks,
    }
    await client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


# --- submitting -------------------------------------------------------------------------

# The plan modal's input blocks: a refusal for any other field shows under Steps.
PLAN_FIELDS = ("sport", "date", "title", "steps")


def form_of(view: dict[str, Any]) -> Form:
    """The fields a submitted modal collected, as the conversation's typed form."""
    state = view["state"]["values"]
    metadata = str(view.get("private_metadata") or "")
    if view.get("callback_id") == cards.PLAN_CALLBACK:
        return PlanForm(
            athlete_id=_id(metadata),
            day=_day(state),
            sport=_value(state, "sport") or "",
            title=_value(state, "title") or "",
            steps=_value(state, "steps") or "",
            key_workout="key" in (_value(state, "key") or []),
        )
    if view.get("callback_id") == cards.COMMENT_CALLBACK:
        athlete_id, _, workout_id = metadata.partition(":")
        text = _value(state, "text") or ""
        return CommentForm(_id(athlete_id), text, _id(workout_id) or None)
    return MoveForm(_id(metadata), _day(state))


def _blocks(form: Form, errors: dict[str, str]) -> dict[str, str]:
    """Each field's sentences under the modal block that shows it."""
    out: dict[str, str] = {}
    for field, sentence in errors.items():
        if isinstance(form, PlanForm):
            block = field if field in PLAN_FIELDS else "steps"
        else:
            block = form.MAIN
        out[block] = " ".join(filter(None, (out.get(block), sentence)))[:2000]
    return out


async def submit(conversation: Conversation, body: dict[str, Any]) -> dict[str, str] | face.Answer:
    """Errors by block id, or the answer to post once the form was handled."""
    form = form_of(body["view"])
    team, user, address = face.address_of(body)
    await face.ensure_coach(conversation.db, team, user, "", None)
    replies = await conversation.handle(Request(address=address, kind=RequestKind.FORM, form=form))
    for reply in replies:
        if reply.errors:
            return _blocks(form, dict(reply.errors))
    return face.render(replies)


def register(app: AsyncApp, container: Services, conversation: Conversation) -> None:
    async def on_submission(ack: Any, body: dict[str, Any], client: Any) -> None:
        outcome = await submit(conversation, body)
        if isinstance(outcome, dict):
            await ack(response_action="errors", errors=outcome)
            return
        await ack()
        text, blocks = outcome
        await client.chat_postMessage(
            channel=body["user"]["id"], text=fallback(text), blocks=blocks
        )

    for callback_id in (cards.PLAN_CALLBACK, cards.COMMENT_CALLBACK, cards.MOVE_CALLBACK):
        app.view(callback_id)(on_submission)

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
