"""An outbox row as a message: `build_notification_view` loads what it refers to, then
`render_notification(view) -> Reply` (pure) writes it for any door.

Senders (Telegram, Slack, console) call both: view = await build_notification_view(
session, notification); reply = render_notification(view).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import (
    activity_summary,
    day_label,
    distance,
    duration,
    feel_buttons,
    rpe_buttons,
    workout_card,
    workout_text,
)
from bot.conversation.charts import weekly_load_chart
from bot.conversation.types import (
    Button,
    Buttons,
    Image,
    Reply,
    Subject,
    Text,
    bold,
    italic,
    join_lines,
)
from core.clock import Clock, SystemClock
from core.db.models import Activity, Notification, TrainingPlan, User, Workout
from core.enums import NotificationKind, WorkoutStatus
from core.words import has_key, say, sport_name


@dataclass(frozen=True)
class NotificationView:
    kind: str
    payload: dict[str, Any]
    locale: str
    units: str
    workout: Workout | None = None
    activity: Activity | None = None
    athlete_name: str | None = None
    # Workouts a reminder lists (payload "workouts"), reloaded so their status is current.
    workouts: tuple[Workout, ...] = ()
    # The weekly summary's load chart (PNG), rendered when the view is built.
    chart_png: bytes | None = None
    # Who planned the workout of a NEW_PLAN message, when the payload does not say.
    planner_name: str | None = None
    # Whether the recipient is the athlete the notice is about (a coach reads the
    # athlete's name where the athlete reads "your coach").
    for_athlete: bool = False
    # The coach who assigned a plan (NEW_PLAN with a plan_id).
    plan_coach_name: str | None = None


async def build_notification_view(
    session: AsyncSession,
    notification: Notification,
    *,
    clock: Clock | None = None,
    chart_png: bytes | None = None,
) -> NotificationView:
    """Load what the row refers to. A weekly summary gets its load chart: `chart_png`
    when the caller already rendered it (the delivery's image renderer), otherwise drawn
    here as of `clock` (the system clock by default)."""
    recipient = await session.get_one(User, notification.recipient_id)
    payload = dict(notification.payload or {})
    workout = (
        await session.get(Workout, payload["workout_id"]) if payload.get("workout_id") else None
    )
    activity_id = payload.get("activity_id") or payload.get("activity_changed")
    activity = await session.get(Activity, activity_id) if activity_id else None
    # Who the notice is about: named in the payload, else the workout's or session's owner.
    athlete_id = payload.get("athlete_id") or (
        workout.athlete_id if workout else activity.user_id if activity else None
    )
    athlete = await session.get(User, athlete_id) if athlete_id else None
    plan = await session.get(TrainingPlan, payload["plan_id"]) if payload.get("plan_id") else None
    plan_coach = await session.get(User, plan.coach_id) if plan and plan.coach_id else None
    listed_items = payload.get("workouts")
    listed = [
        item.get("id")
        for item in (listed_items if isinstance(listed_items, list) else ())
        if isinstance(item, dict)
    ]
    workouts = tuple(w for w in [await session.get(Workout, i) for i in listed if i] if w)
    planner = (
        await session.get(User, workout.created_by_id)
        if workout is not None and workout.created_by_id
        else None
    )
    if (
        chart_png is None
        and notification.kind == NotificationKind.WEEKLY_SUMMARY
        and payload.get("chart") == "load"
    ):
        chart_png = await weekly_load_chart(session, clock or SystemClock(), recipient)
    return NotificationView(
        kind=notification.kind,
        payload=payload,
        locale=recipient.locale,
        units=recipient.units,
        workout=workout,
        activity=activity,
        athlete_name=athlete.name if athlete else None,
        workouts=workouts,
        chart_png=chart_png,
        planner_name=planner.name if planner else None,
        for_athlete=athlete is not None and athlete.id == recipient.id,
        plan_coach_name=plan_coach.name if plan_coach else None,
    )


def _subject_title(view: NotificationView) -> str:
    if view.workout is not None:
        return view.workout.title
    if view.activity is not None:
        return view.activity.name or view.activity.sport
    return ""


def _subject(view: NotificationView) -> Subject | None:
    if view.workout is not None:
        return Subject(workout_id=view.workout.id)
    if view.activity is not None:
        return Subject(activity_id=view.activity.id)
    return None


def render_notification(view: NotificationView) -> Reply:
    t = view.locale
    p = view.payload
    match view.kind:
        case NotificationKind.COACH_COMMENT | NotificationKind.ATHLETE_COMMENT:
            key = (
                "coach_comment"
                if view.kind == NotificationKind.COACH_COMMENT
                else "n_athlete_comment"
            )
            head = say(t, key, author=p.get("author_name", ""), subject=_subject_title(view))
            subject = _subject(view)
            parts: list[Any] = [Text.of(head, italic(p.get("body", "")))]
            if subject is not None:
                kind, sid = (
                    ("w", subject.workout_id) if subject.workout_id else ("a", subject.activity_id)
                )
                parts.append(
                    Buttons.of([Button(say(t, "btn_reply"), cb(Scope.COMMENT, "reply", kind, sid))])
                )
            return Reply(parts=tuple(parts), thread=subject, stands_for=subject)
        case NotificationKind.REMINDER:
            return _reminder(view)
        case NotificationKind.CHECK_IN if (
            view.activity is not None
            and p.get("athlete_id") == view.activity.user_id
            and p.get("rpe") is None
            and "feel" not in p
        ):
            return Reply.of(
                activity_summary(view.activity, t, view.units) + "\n" + say(t, "checkin_rpe"),
                rpe_buttons("a", view.activity.id),
                stands_for=Subject(activity_id=view.activity.id),
            )
        case NotificationKind.CHECK_IN:
            bits = []
            if p.get("rpe"):
                bits.append(f"RPE {p['rpe']}")
            if p.get("feel"):
                bits.append(say(t, f"feel_{p['feel']}"))
            if p.get("pain"):
                bits.append("⚠ " + (p.get("pain_note") or say(t, "btn_pain")))
            head = say(t, "n_check_in", athlete=view.athlete_name or "", title=_subject_title(view))
            return Reply.of(head + " " + " · ".join(bits), thread=_subject(view))
        case NotificationKind.WORKOUT_COMPLETED:
            return Reply.of(
                say(
                    t,
                    "n_workout_completed",
                    athlete=view.athlete_name or "",
                    title=p.get("title") or _subject_title(view),
                ),
                thread=_subject(view),
            )
        case NotificationKind.ACTIVITY_RECORDED if view.activity is not None:
            return Reply.of(
                say(
                    t,
                    "n_activity_recorded",
                    athlete=view.athlete_name or "",
                    summary=activity_summary(view.activity, t, view.units),
                ),
                stands_for=_subject(view),
            )
        case NotificationKind.WORKOUT_CHANGED if p.get("skipped"):
            return Reply.of(
                say(
                    t,
                    "n_workout_skipped",
                    athlete=view.athlete_name or "",
                    title=p.get("title") or _subject_title(view),
                )
                + (f"\n{p['reason']}" if p.get("reason") else ""),
                thread=_subject(view),
            )
        case NotificationKind.WORKOUT_CHANGED:
            return Reply.of(_workout_changed(view), thread=_subject(view))
        case NotificationKind.NEW_PLAN if p.get("plan_id"):
            start = _day(p.get("start"))
            return Reply.of(
                say(
                    t,
                    "n_new_plan_from" if view.plan_coach_name else "n_new_plan_named",
                    coach=view.plan_coach_name or "",
                    name=p.get("name", ""),
                    workouts=_workouts(t, int(p.get("workout_count") or 0)),
                    start=day_label(start, t) if start else "",
                )
            )
        case NotificationKind.NEW_PLAN:
            coach = p.get("coach_name") or view.planner_name or ""
            if view.workout is not None:
                return Reply(
                    parts=(
                        Text.of(say(t, "n_new_workout", coach=coach)),
                        workout_text(view.workout, t, view.units),
                    ),
                    stands_for=Subject(workout_id=view.workout.id),
                )
            return Reply.of(say(t, "n_new_plan", coach=coach))
        case NotificationKind.WEEKLY_SUMMARY:
            return _weekly(view)
        case NotificationKind.COACH_DIGEST:
            return _coach_digest(view)
        case NotificationKind.SYNC_STATUS if p.get("transfer"):
            return _transfer(view)
        case NotificationKind.SYNC_STATUS:
            return Reply.of(_sync_status(view))
        case NotificationKind.RELATIONSHIP:
            event = p.get("event", "")
            key = f"n_relationship_{event}"
            if has_key(key):
                return Reply.of(say(t, key, athlete=view.athlete_name or ""))
            return Reply.of(p.get("message") or say(t, "n_relationship_other"))
        case "daily_digest":
            return _daily_digest(view)
        case _:
            return Reply.of(p.get("message") or say(t, "n_generic"))


def _workouts(t: str, count: int) -> str:
    return say(t, "n_workouts_one") if count == 1 else say(t, "n_workouts_many", count=count)


def _workout_changed(view: NotificationView) -> str:
    """A moved or rescaled workout: the athlete reads "your coach", the coach the athlete."""
    t, p = view.locale, view.payload
    title = p.get("title") or _subject_title(view)
    who = "coach" if view.for_athlete else "athlete"
    athlete = view.athlete_name or ""
    if p.get("scaled_pct") is not None:
        return say(t, f"n_workout_scaled_{who}", athlete=athlete, title=title, pct=p["scaled_pct"])
    moved_from = _day(p.get("from"))
    to = view.workout.scheduled_date if view.workout else _day(p.get("to"))
    to_label = day_label(to, t) if to else "?"
    if moved_from is None:
        return say(t, f"n_workout_moved_to_{who}", athlete=athlete, title=title, to=to_label)
    return say(
        t,
        f"n_workout_moved_{who}",
        athlete=athlete,
        title=title,
        day=day_label(moved_from, t),
        to=to_label,
    )


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _reminder(view: NotificationView) -> Reply:
    t = view.locale
    slot = view.payload.get("slot")
    day = _day(view.payload.get("date"))
    head = say(t, "n_reminder_evening" if slot == "evening" else "n_reminder")
    planned = [w for w in view.workouts if w.status == WorkoutStatus.PLANNED]
    if not planned and view.workout is not None:
        planned = [view.workout]
    if not planned:
        # Everything was done, skipped or moved since the reminder was written.
        return Reply.of(say(t, "n_reminder_nothing", day=day_label(day, t) if day else ""))
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


def _weekly(view: NotificationView) -> Reply:
    t, p = view.locale, view.payload
    first, last = _day(p.get("week_start")), _day(p.get("week_end"))
    lines: list[Text | str] = [
        Text.of(
            bold(
                say(
                    t,
                    "n_weekly_title",
                    first=day_label(first, t) if first else "",
                    last=day_label(last, t) if last else "",
                )
            )
        ),
        say(
            t,
            "n_weekly_sessions",
            count=p.get("activities", 0),
            time=duration(p.get("moving_s")) or "0 min",
            distance=distance(p.get("distance_m"), view.units) or "0 km",
            load=p.get("load") or 0,
        ),
    ]
    if p.get("planned_workouts"):
        line = say(
            t, "n_weekly_plan", done=p.get("completed_workouts", 0), planned=p["planned_workouts"]
        )
        if p.get("compliance_pct") is not None:
            line += f" · {say(t, 'compliance', pct=p['compliance_pct'])}"
        lines.append(line)
    if p.get("fitness") is not None:
        lines.append(
            say(t, "n_weekly_fitness", fitness=p["fitness"], fatigue=p["fatigue"], form=p["form"])
        )
    text = join_lines(lines)
    if view.chart_png is None:
        return Reply(parts=(text,))
    name = f"load-{last.isoformat() if last else 'week'}.png"
    # The numbers travel as their own message: an image caption holds 1024 characters.
    return Reply(parts=(text, Image(view.chart_png, name)))


_REASONS = ("missed_key_workout", "pain", "low_form", "no_sync", "low_compliance")


def reason_text(t: str, reason: dict[str, Any]) -> str:
    """One attention reason (core.schedules.messages) in words; the digest and /digest use it."""
    kind = reason.get("reason", "")
    match kind:
        case "missed_key_workout":
            day = _day(reason.get("date"))
            return say(
                t, "dg_missed", title=reason.get("title", ""), day=day_label(day, t) if day else ""
            )
        case "pain":
            notes = "; ".join(str(n) for n in reason.get("notes") or [])
            return say(t, "dg_pain") + (f" ({notes})" if notes else "")
        case "low_form":
            return say(t, "dg_low_form", form=float(reason.get("form") or 0))
        case "no_sync" if reason.get("days") is None:
            return say(t, "dg_never_synced")
        case "no_sync":
            return say(t, "dg_no_sync", days=reason.get("days"))
        case "low_compliance":
            return say(t, "dg_low_compliance", pct=reason.get("compliance_pct") or 0)
        case _:
            return kind.replace("_", " ")


def _coach_digest(view: NotificationView) -> Reply:
    t, p = view.locale, view.payload
    day = _day(p.get("date"))
    athletes = p.get("athletes") or []
    lines: list[Text | str] = [
        Text.of(bold(say(t, "dg_title", day=day_label(day, t) if day else ""))),
        say(t, "dg_count", count=len(athletes)),
    ]
    for entry in athletes:
        lines.append(Text.of(bold(str(entry.get("name", "")))))
        lines += [f"  • {reason_text(t, r)}" for r in entry.get("reasons") or []]
    return Reply(parts=(join_lines(lines),))


def _transfer(view: NotificationView) -> Reply:
    """A provider account changing hands: the owner's question (with its two buttons), or
    what became of it (core.sync.connections.request_transfer / decide_transfer)."""
    t, p = view.locale, view.payload
    step, other = str(p.get("transfer")), str(p.get("other") or "")
    text = say(
        t, f"n_transfer_{step}", provider=str(p.get("provider", "")).capitalize(), other=other
    )
    if step != "ask":
        return Reply.of(text)
    transfer_id = int(p.get("transfer_id") or 0)
    return Reply.of(
        text,
        Buttons.of(
            [Button(say(t, "btn_transfer_keep"), cb(Scope.ACCOUNT, "keep", transfer_id))],
            [
                Button(
                    say(t, "btn_transfer_give", name=other), cb(Scope.ACCOUNT, "give", transfer_id)
                )
            ],
        ),
    )


def _sync_status(view: NotificationView) -> str:
    t, p = view.locale, view.payload
    provider = str(p.get("provider", "")).capitalize()
    if "data_deleted" in p:
        return say(
            t,
            "n_sync_data_deleted",
            provider=provider,
            count=p["data_deleted"],
            command=p.get("reconnect_command") or "/connect",
        )
    if p.get("revoked"):
        return say(
            t,
            "n_sync_revoked",
            provider=provider,
            command=p.get("reconnect_command") or "/connect",
        )
    if p.get("delayed"):
        return say(t, "n_sync_delayed", provider=provider)
    if p.get("requested"):
        return say(t, "n_sync_requested", provider=provider)
    if p.get("activity_changed"):
        name = p.get("name") or sport_name(t, str(p.get("sport", "")))
        day = _day(p.get("local_date"))
        key = "n_sync_deleted" if p.get("change") == "deleted" else "n_sync_updated"
        return say(t, key, name=name, day=day_label(day, t) if day else "")
    if "total" in p:
        key = "n_sync_finished" if p.get("finished") else "n_sync_progress"
        return say(t, key, provider=provider, done=p.get("done", 0), total=p["total"])
    return say(t, "n_sync", message=p.get("message") or provider)


def _daily_digest(view: NotificationView) -> Reply:
    t = view.locale
    items = view.payload.get("items") or []
    counts: dict[str, int] = {}
    for item in items:
        kind = str(item.get("kind", ""))
        counts[kind] = counts.get(kind, 0) + 1
    lines = [say(t, "n_digest")]
    for kind, count in counts.items():
        label = say(t, f"kind_{kind}") if has_key(f"kind_{kind}") else kind
        lines.append(say(t, "n_digest_line", label=label, count=count))
    return Reply.of("\n".join(lines))


__all__ = [
    "NotificationView",
    "build_notification_view",
    "feel_buttons",
    "reason_text",
    "render_notification",
]
