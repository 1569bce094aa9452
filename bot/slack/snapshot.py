"""The Slack wording of what a coach sees of an athlete.

The numbers themselves (`AthleteSnapshot`, `snapshot`) are a product rule shared with the
chat doors and live in `core.coaching.coach_view`; they are re-exported here for the Block Kit
builders, which add only the English flag wording below.
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import slack_escape
from core.coaching.coach_view import AthleteSnapshot, snapshot

__all__ = ["AthleteSnapshot", "flag_text", "snapshot"]


def flag_text(flag: dict[str, Any]) -> str:
    """A flag as mrkdwn: the athlete's own words in it (titles, pain notes) are escaped."""
    match flag.get("reason"):
        case "missed_key_workout":
            title = slack_escape(str(flag.get("title")))
            return f"missed key workout “{title}” ({flag.get('date')})"
        case "pain":
            notes = slack_escape("; ".join(flag.get("notes") or []))
            return "pain reported" + (f": {notes}" if notes else "")
        case "low_form":
            return f"form {flag.get('form')}, below the alert threshold"
        case "no_sync":
            days = flag.get("days")
            return "never synced" if days is None else f"no sync for {days} days"
        case "low_compliance":
            return f"low compliance ({flag.get('compliance_pct')} %)"
    return slack_escape(str(flag.get("reason", "needs attention")))
