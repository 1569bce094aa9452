"""/log in plain words, files sent in chat, and the check-in after a session."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import PurePath

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import (
    activity_summary,
    day_label,
    distance,
    duration,
    feel_buttons,
    pain_buttons,
    rpe_buttons,
)
from bot.conversation.context import Context
from bot.conversation.types import Button, Buttons, EditRef, Subject
from core.activities import entries as activities
from core.activities.ingest.check_in_answers import record_check_in
from core.activities.ingest.recording import record_file
from core.activities.ingest.scoring import thresholds_assumed_from
from core.activities.plausibility import ImplausibleActivity
from core.activities.quick_log import QuickLog, QuickLogError, parse_quick_log
from core.coaching.relationships import active_relationship_of_athlete
from core.db.models import Activity
from core.errors import InvalidInput
from core.files import ActivityFileError
from core.planning import checkins
from core.planning import workouts as planning
from core.timeutil import at_local_time, local_date
from core.words import has_key, sport_name

FILE_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def _log_summary(ctx: Context, entry: QuickLog) -> str:
    bits = [sport_name(ctx.locale, entry.sport.value)]
    bits += [
        x
        for x in (
            distance(entry.distance_m, ctx.user.units, ctx.locale),
            duration(entry.duration_s),
        )
        if x
    ]
    if entry.rpe:
        bits.append(f"RPE {entry.rpe}")
    bits.append(entry.day.isoformat())
    return " · ".join(bits)


async def log(ctx: Context) -> None:
    text = ctx.request.args if ctx.request.command else ctx.request.text
    if not text:
        await ctx.await_text("log")
        ctx.reply(ctx.t("log_usage"))
        return
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    try:
        entry = parse_quick_log(text, today)
    except QuickLogError as exc:
        await ctx.clear()
        ctx.reply(ctx.t("log_unclear", reason=_log_reason(ctx, exc)))
        return
    await ctx.state_store.set(
        ctx.key,
        {
            "pending_log": {
                "sport": entry.sport.value,
                "day": entry.day.isoformat(),
                "duration_s": entry.duration_s,
                "distance_m": entry.distance_m,
                "rpe": entry.rpe,
            }
        },
    )
    ctx.reply(
        ctx.t("log_confirm", summary=_log_summary(ctx, entry)),
        Buttons.of(
            [
                Button(ctx.t("btn_confirm"), cb(Scope.LOG, "ok")),
                Button(ctx.t("btn_cancel"), cb(Scope.LOG, "no")),
            ]
        ),
    )


def _log_reason(ctx: Context, exc: QuickLogError) -> str:
    key = f"log_why_{exc.key}"
    if not has_key(key):
        return exc.message
    values = dict(exc.details)
    if "sport" in values:
        values["sport"] = sport_name(ctx.locale, str(values["sport"]))
    return ctx.t(key, **values)


def _implausible(ctx: Context, exc: ImplausibleActivity) -> str:
    """The refusal in the person's words (core's own sentence is English)."""
    key = f"implausible_{exc.reason}"
    if not has_key(key):
        return exc.message
    values = dict(exc.details)
    if "sport" in values:
        values["sport"] = sport_name(ctx.locale, str(values["sport"]))
    day = values.get("day")
    if isinstance(day, date):
        values["day"] = day_label(day, ctx.locale, today_of(ctx))
    return ctx.t(key, **values)


async def on_log_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    edit = {"edit": EditRef(ctx.request.origin)} if ctx.request.origin else {}
    pending = (await ctx.state()).get("pending_log")
    if pending is None:
        ctx.reply(ctx.t("log_expired"), **edit)
        return
    await ctx.clear()
    if callback.action == "no":
        ctx.reply(ctx.t("log_cancelled"), **edit)
        return
    day = datetime.fromisoformat(pending["day"]).date()
    now = ctx.clock.now()
    # A past day's session is put at local noon; today's ends now at the latest.
    start = at_local_time(day, time(12, 0), ctx.user.timezone)
    start = min(start, now - timedelta(seconds=pending["duration_s"]))
    try:
        # Recorded like a file or a sync: scored, matched to the plan, counted in the
        # day's load and fitness now; the check-in that follows only adds answers.
        result = await activities.record_manual_activity(
            ctx.session,
            ctx.clock,
            ctx.user.id,
            ctx.user.id,
            sport=pending["sport"],
            start=start,
            duration_s=pending["duration_s"],
            distance_m=pending["distance_m"],
            rpe=pending["rpe"],
        )
    except ImplausibleActivity as exc:
        ctx.reply(ctx.t("log_unclear", reason=_implausible(ctx, exc)), **edit)
        return
    except InvalidInput as exc:
        ctx.reply(ctx.t("log_unclear", reason=exc.message), **edit)
        return
    activity = result.kept
    summary = activity_summary(activity, ctx.locale, ctx.user.units, today_of(ctx))
    lines = [ctx.t("log_saved", summary=summary)]
    if result.workout is not None:
        lines.append(f"✔ {result.workout.title}")
    ctx.reply("\n".join(lines), stands_for=Subject(activity_id=activity.id), **edit)
    if result.asks_check_in:
        await ask_check_in(ctx, activity.id, rpe=pending["rpe"])


def today_of(ctx: Context) -> date:
    return local_date(ctx.clock.now(), ctx.user.timezone)


async def ask_check_in(ctx: Context, activity_id: int, *, rpe: int | None = None) -> None:
    if rpe is None:
        ctx.reply(ctx.t("checkin_rpe"), rpe_buttons("a", activity_id))
    else:
        await ctx.state_store.set(ctx.key, {"check_in": {"a": activity_id, "rpe": rpe}})
        ctx.reply(ctx.t("checkin_feel"), feel_buttons("a", activity_id, ctx.locale))


async def on_file(ctx: Context) -> None:
    incoming = ctx.request.file
    assert incoming is not None
    name = PurePath(incoming.filename or "file").name
    if not name.lower().endswith(FILE_SUFFIXES):
        ctx.reply(ctx.t("file_bad_type", name=name))
        return
    limit = ctx.settings.max_file_bytes
    if incoming.size > limit:
        ctx.reply(ctx.t("file_too_big", size=f"{incoming.size / 2**20:.1f}", limit=limit // 2**20))
        return
    data = await incoming.fetch()
    if len(data) > limit:  # the door's announced size was wrong; trust the bytes
        ctx.reply(ctx.t("file_too_big", size=f"{len(data) / 2**20:.1f}", limit=limit // 2**20))
        return
    try:
        results = await record_file(
            ctx.session, ctx.clock, ctx.user.id, data, name, ask_in_reply=True
        )
    except ActivityFileError as exc:
        ctx.reply(ctx.t("file_bad", name=name, reason=str(exc)))
        return
    except ImplausibleActivity as exc:
        ctx.reply(ctx.t("file_implausible", name=name, reason=_implausible(ctx, exc)))
        return
    today = today_of(ctx)
    for result in results:
        summary = activity_summary(result.kept, ctx.locale, ctx.user.units, today)
        key = "file_imported" if result.created and not result.is_duplicate else "file_duplicate"
        lines = [ctx.t(key, summary=summary)]
        metrics = _metric_line(ctx, result.kept)
        if metrics:
            lines.append(metrics)
        assumed = thresholds_assumed_from(result.kept)
        if assumed is not None and result.kept.load_source not in (None, "rpe"):
            lines.append(
                ctx.t(
                    "thresholds_assumed",
                    day=day_label(result.kept.local_date, ctx.locale, today),
                    since=day_label(assumed, ctx.locale, today),
                )
            )
        if result.workout is not None:
            lines.append(f"✔ {result.workout.title}")
        ctx.reply("\n".join(lines), stands_for=Subject(activity_id=result.kept.id))
        if result.asks_check_in:  # once per session, never a transition or old history
            await ask_check_in(ctx, result.kept.id)


# What a person reads next to each number: the product's words (Weighted power,
# Intensity), never the jargon (NP, IF).
_METRICS = (
    ("metric_hr", "avg_hr", "{:.0f} bpm"),
    ("metric_weighted_power", "weighted_power", "{:.0f} W"),
    ("metric_intensity", "intensity", "{:.2f}"),
    ("metric_elevation", "elevation_gain_m", "{:.0f} m"),
)


def _metric_line(ctx: Context, activity: Activity) -> str:
    bits = []
    for key, attr, fmt in _METRICS:
        value = getattr(activity, attr, None)
        if value:
            bits.append(f"{ctx.t(key)} {fmt.format(value)}")
    return " · ".join(bits)


async def on_check_in_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    kind, subject_id = callback.str_arg(0), callback.int_arg(1)
    state = await ctx.state()
    answers = state.get("check_in") or {}
    if answers.get(kind) != subject_id:
        answers = {kind: subject_id}
    if kind == "w":
        workout = await planning.get_workout(ctx.session, ctx.user.id, subject_id)
        if workout.matched_activity_id is not None:
            # A recorded session stands behind the workout: the answers go on it (and
            # from there on the workout), scoring its load from RPE when it has none.
            kind, subject_id = "a", workout.matched_activity_id
            answers = {"a": subject_id, **{k: v for k, v in answers.items() if k not in ("a", "w")}}
        elif callback.action == "rpe":
            # Kept at once, so an athlete who stops after the first tap loses nothing.
            await planning.complete_workout(
                ctx.session, ctx.clock, ctx.user.id, subject_id, rpe=callback.int_arg(2)
            )
    match callback.action:
        case "rpe":
            answers["rpe"] = callback.int_arg(2)
            await ctx.state_store.set(ctx.key, {"check_in": answers})
            ctx.reply(ctx.t("checkin_feel"), feel_buttons(kind, subject_id, ctx.locale))
        case "feel":
            answers["feel"] = callback.int_arg(2)
            await ctx.state_store.set(ctx.key, {"check_in": answers})
            ctx.reply(ctx.t("checkin_pain"), pain_buttons(kind, subject_id, ctx.locale))
        case "nopain":
            await _finish_check_in(ctx, answers, pain=False)
        case "pain":
            await ctx.await_text("pain_note", check_in={**answers, "pain": True})
            ctx.reply(
                ctx.t("ask_pain_note"),
                Buttons.of([Button(ctx.t("skip"), cb(Scope.CHECKIN, "nopain", kind, subject_id))]),
            )


async def on_pain_note(ctx: Context) -> None:
    answers = (await ctx.state()).get("check_in") or {}
    await _finish_check_in(ctx, answers, pain=True, note=ctx.request.text[:2000])


async def _finish_check_in(
    ctx: Context, answers: dict, *, pain: bool, note: str | None = None
) -> None:
    activity_id, workout_id = answers.get("a"), answers.get("w")
    await ctx.clear()
    if activity_id is None and workout_id is None:
        ctx.reply(ctx.t("log_expired"))
        return
    pain = pain or bool(answers.get("pain"))  # "Skip" on the note keeps the yes
    given = {
        "rpe": answers.get("rpe"),
        "feel": answers.get("feel"),
        "pain": pain,
        "pain_note": note,
    }
    if activity_id is not None:
        kept = await record_check_in(ctx.session, ctx.clock, ctx.user.id, int(activity_id), **given)
        private = kept.is_private
    else:
        # Trained without a recorded session: the answers live on the workout.
        await checkins.record_workout_check_in(
            ctx.session, ctx.clock, ctx.user.id, int(workout_id), **given
        )
        private = False
    coached = await active_relationship_of_athlete(ctx.session, ctx.user.id)
    ctx.reply(ctx.t("checkin_saved" if coached and not private else "checkin_saved_solo"))


COMMANDS = {"log": log}
BUTTONS = {Scope.LOG.value: on_log_button, Scope.CHECKIN.value: on_check_in_button}
AWAITING = {"log": log, "pain_note": on_pain_note}
