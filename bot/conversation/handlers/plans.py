"""/today, /week, /plan and the Done / Skip / Move buttons of a workout card."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import (
    activity_summary,
    day_label,
    rpe_buttons,
    workout_card,
)
from bot.conversation.context import Context
from bot.conversation.types import Button, Buttons, EditRef, Text, bold, join_lines
from core.activities import entries as activities
from core.coaching import relationships as coaching
from core.db.models import Workout
from core.planning import workouts as planning
from core.timeutil import local_date, week_start

PLAN_DAYS = 14


def today_of(ctx: Context) -> date:
    return local_date(ctx.clock.now(), ctx.user.timezone)


async def _on_their_own(ctx: Context, first: date) -> bool:
    """No coach and nothing planned from `first` on: "Rest day" alone leaves them stuck."""
    if await coaching.active_relationship_of_athlete(ctx.session, ctx.user.id) is not None:
        return False
    ahead = await ctx.session.scalar(
        select(Workout.id)
        .where(Workout.athlete_id == ctx.user.id, Workout.scheduled_date >= first)
        .limit(1)
    )
    return ahead is None


async def _show_days(
    ctx: Context, title: str, first: date, last: date, *, load_key: str = "week_load"
) -> None:
    me = ctx.user.id
    workouts = await planning.workouts_between(ctx.session, me, me, first, last)
    done = await activities.activities_between(ctx.session, me, me, first, last)
    header: list[Text | str] = [Text.of(bold(title))]
    if not workouts:
        header.append(ctx.t("nothing_planned" if first != last else "rest_day"))
        if await _on_their_own(ctx, first):
            header.append(ctx.t("no_plan_no_coach"))
    if done:
        header.append(ctx.t("done_header"))
        header += [f"  • {activity_summary(a, ctx.locale, ctx.user.units)}" for a in done]
    if first != last:
        planned = sum(w.planned_load or 0 for w in workouts)
        actual = sum(a.load or 0 for a in done)
        header.append(ctx.t(load_key, done=actual, planned=planned))
    if first == last and len(workouts) == 1:
        # A day with one workout is one message: the day's heading above the card, whose
        # buttons still act on (and edit) that workout. Fewer messages read better in a
        # chat and cost one Bot API call instead of two.
        card = workout_card(workouts[0], ctx.locale, ctx.user.units)
        body, *rest = card.parts
        ctx.replies.append(
            type(card)(
                parts=(join_lines([join_lines(header), body], sep="\n\n"), *rest),
                stands_for=card.stands_for,
            )
        )
        return
    ctx.reply(join_lines(header))
    for workout in workouts:
        card = workout_card(workout, ctx.locale, ctx.user.units)
        if first != last:
            label = Text.of(bold(day_label(workout.scheduled_date, ctx.locale)), " · ")
            card = type(card)(
                parts=(label + card.parts[0], *card.parts[1:]),  # type: ignore[operator]
                stands_for=card.stands_for,
            )
        ctx.replies.append(card)


async def today(ctx: Context) -> None:
    day = today_of(ctx)
    await _show_days(ctx, ctx.t("today_title", day=day_label(day, ctx.locale)), day, day)


async def week(ctx: Context) -> None:
    monday = week_start(today_of(ctx))
    title = ctx.t("week_title", day=day_label(monday, ctx.locale))
    await _show_days(ctx, title, monday, monday + timedelta(days=6))


async def plan(ctx: Context) -> None:
    day = today_of(ctx)
    last = day + timedelta(days=PLAN_DAYS - 1)
    # Fourteen days are not "this week": the sum says what it covers.
    await _show_days(ctx, ctx.t("plan_title"), day, last, load_key="plan_load")


def move_choices(ctx: Context, workout: Workout) -> None:
    """The days a workout can move to, one button each (the chat's way to pick a date)."""
    start = max(today_of(ctx), workout.scheduled_date - timedelta(days=1))
    days = [
        start + timedelta(days=k)
        for k in range(8)
        if start + timedelta(days=k) != workout.scheduled_date
    ][:7]
    buttons = [
        Button(day_label(d, ctx.locale), cb(Scope.WORKOUT, "moveto", workout.id, d.isoformat()))
        for d in days
    ]
    ctx.reply(ctx.t("move_to", title=workout.title), Buttons.of(buttons[:4], buttons[4:]))


def _edit(ctx: Context) -> dict[str, object]:
    origin = ctx.request.origin
    return {"edit": EditRef(origin)} if origin else {}


async def on_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    workout_id = callback.int_arg(0)
    me = ctx.user.id
    match callback.action:
        case "done":
            workout = await planning.complete_workout(ctx.session, ctx.clock, me, workout_id)
            ctx.replies.append(workout_card(workout, ctx.locale, ctx.user.units, **_edit(ctx)))
            ctx.reply(ctx.t("marked_done", title=workout.title))
            ctx.reply(ctx.t("checkin_rpe"), rpe_buttons("w", workout.id))
        case "skip":
            workout = await planning.skip_workout(ctx.session, ctx.clock, me, workout_id)
            ctx.replies.append(workout_card(workout, ctx.locale, ctx.user.units, **_edit(ctx)))
            ctx.reply(ctx.t("marked_skipped", title=workout.title))
        case "move":
            move_choices(ctx, await planning.get_workout(ctx.session, me, workout_id))
        case "moveto":
            to = date.fromisoformat(callback.str_arg(1))
            workout = await planning.move_workout(ctx.session, ctx.clock, me, workout_id, to)
            ctx.reply(
                ctx.t("moved", title=workout.title, day=day_label(to, ctx.locale)), **_edit(ctx)
            )


# /plan is the coach module's: with a name it plans for that athlete, else it is `plan`.
COMMANDS = {"today": today, "week": week}
BUTTONS = {Scope.WORKOUT.value: on_button}
AWAITING: dict = {}
