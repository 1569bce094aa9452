"""Block Kit for what a coach looks at: roster rows, the athlete card, the plan modal."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.conversation.notifications import reason_text
from bot.slack.blocks import (
    actions,
    button,
    context,
    divider,
    plain,
    section,
    slack_escape,
)
from core.activities.parsed import Sport
from core.coaching.coach_view import AthleteSnapshot
from core.planning.structure import describe

PLAN_CALLBACK = "plan_workout"
COMMENT_CALLBACK = "comment_modal"
MOVE_CALLBACK = "move_modal"

OPEN_ACTION = "athlete_open"
PLAN_ACTION = "athlete_plan"
COMMENT_ACTION = "athlete_comment"


def flag_text(locale: str, flag: dict[str, Any]) -> str:
    """A flag in the conversation's words (`reason_text`), escaped for mrkdwn: the
    athlete's own words in it (titles, pain notes) stay words."""
    return slack_escape(reason_text(locale, flag))


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _form_word(form: float | None) -> str:
    if form is None:
        return "–"
    if form < -30:
        return f"{form:.0f} (overreaching)"
    if form < -10:
        return f"{form:.0f} (productive)"
    if form <= 5:
        return f"{form:.0f} (neutral)"
    return f"{form:.0f} (fresh)"


def _compliance(snap: AthleteSnapshot) -> str:
    pct = snap.compliance_pct
    if pct is None:
        return "nothing planned yet"
    mark = "🟢" if pct >= 80 else "🟡" if pct >= 50 else "🔴"
    return f"{mark} {pct} % ({snap.week_done}/{snap.week_planned})"


def _last_sync(snap: AthleteSnapshot) -> str:
    if snap.last_sync is None:
        return "never"
    return snap.last_sync.strftime("%Y-%m-%d %H:%M UTC")


def roster_row(
    snap: AthleteSnapshot, *, with_buttons: bool, locale: str = "en"
) -> list[dict[str, Any]]:
    name = slack_escape(snap.athlete.name)
    if not snap.shared:
        # Withheld by this athlete (core.coaching.coach_view): the row says so and shows no number.
        blocks = [section(f"🔒 *{name}*\nNot shared: keeps their activities to themself.")]
    else:
        flags = ", ".join(flag_text(locale, f) for f in snap.flags) or "none"
        warn = "⚠️ " if snap.flags else ""
        blocks = [
            section(
                f"{warn}*{name}*\n"
                f"Last sync: {_last_sync(snap)} · Week: {_compliance(snap)} · "
                f"Form: {_form_word(snap.form)}\nFlags: {flags}"
            )
        ]
    if with_buttons:
        value = str(snap.athlete.id)
        blocks.append(
            actions(
                button("Open", OPEN_ACTION, value),
                button("Plan a workout", PLAN_ACTION, value, style="primary"),
                button("Comment", COMMENT_ACTION, value),
                block_id=f"athlete:{snap.athlete.id}",
            )
        )
    return blocks


def roster_blocks(
    snaps: list[AthleteSnapshot], *, with_buttons: bool, locale: str = "en"
) -> list[dict[str, Any]]:
    if not snaps:
        return [
            section(
                "No athletes yet. `/trainlytics invite` gives you a code and a Telegram "
                "link to hand to an athlete."
            )
        ]
    blocks: list[dict[str, Any]] = []
    for snap in snaps:
        blocks += roster_row(snap, with_buttons=with_buttons, locale=locale)
    return blocks


def plan_modal(athlete_id: int, athlete_name: str, today: date) -> dict[str, Any]:
    sports = [
        {"text": plain(s.value.replace("_", " ").title()), "value": s.value}
        for s in Sport
        if s not in (Sport.TRANSITION, Sport.OTHER)
    ]
    return {
        "type": "modal",
        "callback_id": PLAN_CALLBACK,
        "private_metadata": str(athlete_id),
        "title": plain("Plan a workout", 24),
        "submit": plain("Plan it", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            context(f"For *{slack_escape(athlete_name)}*"),
            {
                "type": "input",
                "block_id": "sport",
                "label": plain("Sport"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": sports,
                    "initial_option": sports[[o["value"] for o in sports].index("run")],
                },
            },
            {
                "type": "input",
                "block_id": "date",
                "label": plain("Date"),
                "element": {
                    "type": "datepicker",
                    "action_id": "value",
                    "initial_date": today.isoformat(),
                },
            },
            {
                "type": "input",
                "block_id": "title",
                "label": plain("Title"),
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 200},
            },
            {
                "type": "input",
                "block_id": "steps",
                "optional": True,
                "label": plain("Steps, one per line"),
                "hint": plain(
                    "e.g. 15min warmup · 4x(5min interval @ 105-110% power, 3min recovery) "
                    "· 2km steady @ 140-150 heart_rate · 10min cooldown",
                    2000,
                ),
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "key",
                "optional": True,
                "label": plain("Key workout"),
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": [{"text": plain("Key session of the week"), "value": "key"}],
                },
            },
        ],
    }


def text_modal(
    callback_id: str, title: str, label: str, metadata: str, intro: str
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": plain(title, 24),
        "submit": plain("Send", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(intro),
            {
                "type": "input",
                "block_id": "text",
                "label": plain(label),
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
            },
        ],
    }


def date_modal(
    callback_id: str, title: str, metadata: str, intro: str, day: date
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": plain(title, 24),
        "submit": plain("Move", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(intro),
            {
                "type": "input",
                "block_id": "date",
                "label": plain("New date"),
                "element": {
                    "type": "datepicker",
                    "action_id": "value",
                    "initial_date": day.isoformat(),
                },
            },
        ],
    }


def workout_lines(structure: list[dict[str, Any]]) -> str:
    return "\n".join(f"• {line}" for line in describe(structure))


__all__ = ["divider", "plan_modal", "roster_blocks"]
