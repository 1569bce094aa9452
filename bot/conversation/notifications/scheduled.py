"""Scheduled messages: reminders, the weekly summary, the coach digest, the daily digest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import distance, duration, workout_card, workout_text
from bot.conversation.notifications.common import day_or_empty, payload_of
from bot.conversation.notifications.view import NotificationView
from bot.conversation.types import Button, Buttons, Image, Reply, Text, bold, join_lines
from core.enums import WorkoutStatus
from core.outbox.payloads import (
    AttentionReason,
    CoachDigestPayload,
    DailyDigestPayload,
    ReminderPayload,
    WeeklySummaryPayload,
)
from core.words import has_key, say, say_n


def render_reminder(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, ReminderPayload)
    head = say(t, "n_reminder_evening" if p.slot == "evening" else "n_reminder")
    planned = [w for w in view.workouts if w.status == WorkoutStatus.PLANNED]
    if not planned and view.workout is not None:
        planned = [view.workout]
    if not planned:
        # Everything was done, skipped or moved since the reminder was written.
        return Reply.of(say(t, "n_reminder_nothing", day=day_or_empty(p.date, t)))
    if len(planned) == 1:
        card = workout_card(planned[0], t, view.units)
        return Reply(parts=(Text.of(head), *card.parts), stands_for=card.stands_for)
    texts = [workout_text(w, t, view.units) for w in planned]
    rows = [
        [
            Button(f"{say(t, 'btn_done')}: {w.title[:24]}", cb(Scope.WORKOUT, "done", w.id)),
            Button(say(t, "btn_skip"), cb(Scope.WORKOUT, "skip", w.id)),
        ]
        for w in planned
    ]
    return Reply(parts=(join_lines([Text.of(head), *texts], "\n\n"), Buttons.of(*rows)))


def render_weekly_summary(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, WeeklySummaryPayload)
    title = say(
        t, "n_weekly_title", first=day_or_empty(p.week_start, t), last=day_or_empty(p.week_end, t)
    )
    lines: list[Text | str] = [
        Text.of(bold(title)),
        say(
            t,
            "n_weekly_sessions",
            count=p.activities,
            time=duration(p.moving_s) or "0 min",
            distance=distance(p.distance_m, view.units, t) or "0 km",
            load=p.load or 0,
        ),
    ]
    if p.planned_workouts:
        line = say(t, "n_weekly_plan", done=p.completed_workouts, planned=p.planned_workouts)
        if p.compliance_pct is not None:
            line += f" · {say(t, 'compliance', pct=p.compliance_pct)}"
        lines.append(line)
    if p.fitness is not None:
        lines.append(say(t, "n_weekly_fitness", fitness=p.fitness, fatigue=p.fatigue, form=p.form))
    text = join_lines(lines)
    if view.chart_png is None:
        return Reply(parts=(text,))
    name = f"load-{p.week_end.isoformat() if p.week_end else 'week'}.png"
    # The numbers travel as their own message: an image caption holds 1024 characters.
    return Reply(parts=(text, Image(view.chart_png, name)))


def reason_text(t: str, reason: AttentionReason | Mapping[str, Any]) -> str:
    """One attention reason (core.schedules.attention) in words; the digest and /digest use
    it, and so does the Slack door (which may still hand it the plain dict)."""
    r = reason if isinstance(reason, AttentionReason) else AttentionReason.model_validate(reason)
    match r.reason:
        case "missed_key_workout":
            return say(t, "dg_missed", title=r.title, day=day_or_empty(r.date, t))
        case "pain":
            notes = "; ".join(r.notes)
            return say(t, "dg_pain") + (f" ({notes})" if notes else "")
        case "low_form":
            return say(t, "dg_low_form", form=float(r.form or 0))
        case "no_sync" if r.days is None:
            return say(t, "dg_never_synced")
        case "no_sync":
            return say(t, "dg_no_sync", days=r.days)
        case "low_compliance":
            return say(t, "dg_low_compliance", pct=r.compliance_pct or 0)
        case other:
            return other.replace("_", " ")


def render_coach_digest(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, CoachDigestPayload)
    lines: list[Text | str] = [
        Text.of(bold(say(t, "dg_title", day=day_or_empty(p.date, t)))),
        say_n(t, "dg_count", len(p.athletes)),
    ]
    for entry in p.athletes:
        lines.append(Text.of(bold(entry.name)))
        lines += [f"  • {reason_text(t, r)}" for r in entry.reasons]
    return Reply(parts=(join_lines(lines),))


def render_daily_digest(view: NotificationView) -> Reply:
    t, p = view.locale, payload_of(view, DailyDigestPayload)
    counts: dict[str, int] = {}
    for item in p.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    lines = [say(t, "n_digest")]
    for kind, count in counts.items():
        label = say(t, f"kind_{kind}") if has_key(f"kind_{kind}") else kind
        lines.append(say(t, "n_digest_line", label=label, count=count))
    return Reply.of("\n".join(lines))
