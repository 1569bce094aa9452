"""Coach commands in any chat door: /roster, /athlete, /invite, /comment, /digest,
/assign, and /feed (whose meaning is Slack's: the door that has a feed sets the hook).

The numbers come from `core.coaching.coach_view` and
`core.schedules.attention.coach_attention`, the same rules the Slack door shows, so a
coach sees one truth in Slack, Telegram and the console. Every read crosses
`core.coaching.relationships.require_permission`; its refusal (a DomainError) ends as
the dispatcher's usual polite reply. A person whose role is athlete is told how to
become a coach instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import activity_summary, day_label
from bot.conversation.context import Context, Handler
from bot.conversation.handlers import plans

# The digest's reason wording, shared with the scheduled digest a coach receives so both
# read the same; it lives with the notification renderers.
from bot.conversation.notifications import reason_text
from bot.conversation.types import (
    Button,
    Buttons,
    CommentForm,
    FormAsk,
    MoveForm,
    PlanForm,
    Text,
    bold,
    join_lines,
    link,
)
from core.coaching import coach_view, comments
from core.coaching import relationships as coaching
from core.coaching.coach_view import AthleteSnapshot
from core.coaching.relationships import require_permission
from core.db.models import Activity, User, Workout
from core.enums import Permission, Role, WorkoutStatus
from core.errors import InvalidFields, InvalidInput, NotFound, Problem
from core.planning import workouts as planning
from core.planning.step_syntax import parse_steps
from core.schedules.attention import coach_attention
from core.timeutil import local_date, week_start
from core.words import say, sport_name

NAMES_PER_ROW = 3


def _is_coach(ctx: Context) -> bool:
    """A coach (or both) goes on; an athlete is told how to become one."""
    if ctx.user.role in (Role.COACH, Role.BOTH):
        return True
    ctx.reply(ctx.t("coach_only", command=ctx.request.command or "roster"))
    return False


def _open_buttons(athletes: Sequence[tuple[int, str]]) -> Buttons:
    buttons = [Button(name, cb(Scope.ROSTER, "open", athlete_id)) for athlete_id, name in athletes]
    return Buttons.of(
        *(buttons[i : i + NAMES_PER_ROW] for i in range(0, len(buttons), NAMES_PER_ROW))
    )


def _compliance(ctx: Context, snap: AthleteSnapshot) -> str:
    pct = snap.compliance_pct
    return ctx.t("roster_no_plan") if pct is None else ctx.t("compliance", pct=pct)


def _roster_line(ctx: Context, snap: AthleteSnapshot) -> Text:
    if not snap.shared:
        return Text.of(bold(snap.athlete.name), " · ", ctx.t("roster_not_shared"))
    form = ctx.t("roster_no_form") if snap.form is None else ctx.t("roster_form", form=snap.form)
    flags = ctx.tn("roster_flags", len(snap.flags)) if snap.flags else ctx.t("roster_ok")
    rest = ctx.t("roster_line", compliance=_compliance(ctx, snap), form=form, flags=flags)
    return Text.of(bold(snap.athlete.name), " · ", rest)


async def roster(ctx: Context) -> None:
    if not _is_coach(ctx):
        return
    snaps = await coach_view.roster_snapshots(ctx.session, ctx.clock, ctx.user.id)
    if not snaps:
        ctx.reply(ctx.t("roster_empty"))
        return
    lines: list[Text | str] = [Text.of(bold(ctx.t("roster_title", count=len(snaps))))]
    lines += [_roster_line(ctx, snap) for snap in snaps]
    lines.append(ctx.t("roster_hint"))
    ctx.reply(join_lines(lines), _open_buttons([(s.athlete.id, s.athlete.name) for s in snaps]))


def _workout_line(ctx: Context, workout: Workout) -> str:
    key = " ★" if workout.key_workout else ""
    return f"  • {day_label(workout.scheduled_date, ctx.locale)}: {workout.title}{key}"


def _athlete_text(ctx: Context, snap: AthleteSnapshot) -> Text:
    t = ctx.locale
    first = week_start(snap.today)
    lines: list[Text | str] = [
        Text.of(bold(ctx.t("ath_title", name=snap.athlete.name, day=day_label(first, t)))),
        ctx.t(
            "ath_week",
            done=snap.week_done,
            planned=snap.week_planned,
            compliance=_compliance(ctx, snap),
            load=snap.week_load,
            planned_load=snap.week_planned_load,
        ),
    ]
    if snap.fitness is None or snap.fatigue is None or snap.form is None:
        lines.append(ctx.t("ath_no_load"))
    else:
        lines.append(ctx.t("ath_load", fitness=snap.fitness, fatigue=snap.fatigue, form=snap.form))
    if snap.flags:
        lines.append(Text.of(bold(ctx.t("ath_flags"))))
        lines += [f"  ⚠ {reason_text(t, flag)}" for flag in snap.flags]
    else:
        lines.append(ctx.t("ath_no_flags"))
    lines.append(Text.of(bold(ctx.t("ath_recent"))))
    units = ctx.user.units
    lines += [f"  • {activity_summary(a, t, units)}" for a in snap.recent] or [ctx.t("ath_none")]
    lines.append(Text.of(bold(ctx.t("ath_upcoming"))))
    lines += [_workout_line(ctx, w) for w in snap.upcoming] or [ctx.t("ath_none")]
    return join_lines(lines)


async def _show_athlete(ctx: Context, athlete_id: int) -> None:
    snap = await coach_view.athlete_snapshot(ctx.session, ctx.clock, ctx.user.id, athlete_id)
    ctx.reply(_athlete_text(ctx, snap))


@contextmanager
def _pointing_to_roster(ctx: Context) -> Iterator[None]:
    """core's refusal of a typed name, followed by the command that lists the names."""
    try:
        yield
    except (NotFound, InvalidInput) as refused:
        raise type(refused)(f"{refused.text(ctx.locale)} {ctx.t('roster_pointer')}") from refused


async def athlete(ctx: Context) -> None:
    if not _is_coach(ctx):
        return
    name = ctx.request.args.strip()
    if not name:
        ctx.reply(ctx.t("athlete_usage"))
        return
    with _pointing_to_roster(ctx):
        found = await coach_view.find_athlete(ctx.session, ctx.user.id, name)
    await _show_athlete(ctx, found.id)


async def on_roster_button(ctx: Context) -> None:
    """A roster, digest or App Home button: open the athlete, or plan, comment on or
    move their workout (a form where the door has them, questions otherwise)."""
    callback = ctx.request.callback
    assert callback is not None
    if not _is_coach(ctx):
        return
    # Ids come from a button anyone could forge: each path checks the relationship.
    athlete_id = callback.int_arg(0)
    match callback.action:
        case "plan":
            await ask_plan(ctx, athlete_id)
        case "comment":
            await ask_comment(ctx, athlete_id, callback.int_arg(1))
        case "move":
            await ask_move(ctx, athlete_id, callback.int_arg(1))
        case _:
            await _show_athlete(ctx, athlete_id)


async def invite(ctx: Context) -> None:
    if not _is_coach(ctx):
        return
    code = (await coaching.create_invitation(ctx.session, ctx.clock, ctx.user.id)).code
    text = Text.of(ctx.t("invite_code", code=code))
    url = coach_view.invitation_link(ctx.settings.telegram_bot_username, code)
    if url is not None:
        text = text + Text.of("\n" + ctx.t("invite_link"), link(url, url))
    ctx.reply(text)


def subject_label(locale: str, subject: Activity | Workout) -> str:
    """What a comment is on, in words; the Slack comment modal says it the same way."""
    if isinstance(subject, Activity):
        name = subject.name or sport_name(locale, subject.sport)
        return say(locale, "subject_activity", name=name, day=day_label(subject.local_date, locale))
    return say(
        locale,
        "subject_workout",
        title=subject.title,
        day=day_label(subject.scheduled_date, locale),
    )


async def comment(ctx: Context) -> None:
    if not _is_coach(ctx):
        return
    if not ctx.request.args.strip():
        ctx.reply(ctx.t("comment_usage"))
        return
    with _pointing_to_roster(ctx):
        found, text = await coach_view.split_athlete_name(
            ctx.session, ctx.user.id, ctx.request.args
        )
    text = text.strip().strip('"“”«» ').strip()
    if not text:
        ctx.reply(ctx.t("comment_usage"))
        return
    await _comment(ctx, CommentForm(found.id, text))


async def _comment(ctx: Context, form: CommentForm) -> None:
    """The one way a coach's comment is sent, from /comment, its question, or a form."""
    # Outside the coach's relationships, an id answers like one that never was.
    found = await coach_view.coached_athlete(ctx.session, ctx.user.id, form.athlete_id)
    subject: Activity | Workout
    if form.workout_id:
        subject = await planning.get_workout(ctx.session, ctx.user.id, form.workout_id)
        if subject.athlete_id != found.id:
            raise NotFound("refuse_no_workout_to_move", name=found.name)
    else:
        subject = await coach_view.comment_subject(ctx.session, ctx.clock, ctx.user.id, found)
    on = {"activity_id" if isinstance(subject, Activity) else "workout_id": subject.id}
    # add_comment writes the outbox row that carries the comment to the athlete.
    await comments.add_comment(ctx.session, ctx.clock, ctx.user.id, form.text, **on)
    ctx.reply(ctx.t("comment_sent", name=found.name, subject=subject_label(ctx.locale, subject)))


async def on_comment_form(ctx: Context) -> None:
    assert isinstance(ctx.request.form, CommentForm)
    if _is_coach(ctx):
        await _comment(ctx, ctx.request.form)


async def on_comment_answer(ctx: Context) -> None:
    """The comment a coach typed after the Comment button (a chat without forms)."""
    state = await ctx.state()
    text = ctx.request.text.strip()
    if not text:
        ctx.reply(ctx.t("comment_ask_again"))
        return
    await _comment(ctx, CommentForm(int(state["athlete"]), text, int(state["workout"]) or None))
    await ctx.clear()


# --- planning for an athlete: /plan NAME, /move, and the roster's buttons --------------


async def _athlete_to_plan(ctx: Context, athlete_id: int) -> User:
    athlete = await coach_view.coached_athlete(ctx.session, ctx.user.id, athlete_id)
    await require_permission(ctx.session, ctx.user.id, athlete.id, Permission.PLAN_WORKOUTS)
    return athlete


async def plan(ctx: Context) -> None:
    """`/plan NAME` (a coach): plan a workout for that athlete; `/plan`: one's own days."""
    name = ctx.request.args.strip()
    if not name or ctx.user.role not in (Role.COACH, Role.BOTH):
        await plans.plan(ctx)
        return
    with _pointing_to_roster(ctx):
        found = await coach_view.find_athlete(ctx.session, ctx.user.id, name)
    await ask_plan(ctx, found.id)


async def ask_plan(ctx: Context, athlete_id: int) -> None:
    athlete = await _athlete_to_plan(ctx, athlete_id)
    today = local_date(ctx.clock.now(), athlete.timezone)
    if ctx.settings.forms:
        ask = FormAsk("plan", athlete.id, athlete.name, today, locale=ctx.locale)
        ctx.reply(ctx.t("plan_opening", name=athlete.name), form=ask)
        return
    await ctx.await_text("coach_plan", athlete=athlete.id)
    example = (today + timedelta(days=1)).isoformat()
    ctx.reply(ctx.t("plan_ask_when", name=athlete.name, example=example))


async def on_plan_answer(ctx: Context) -> None:
    """The chat's plan questions: first "DATE SPORT TITLE", then the steps ("-": none;
    one per line, or separated by ";" where a chat sends one line at a time)."""
    state = await ctx.state()
    text = ctx.request.text.strip()
    if "day" not in state:
        words = text.split(maxsplit=2)
        if len(words) < 3:
            ctx.reply(ctx.t("plan_ask_when_again"))
            return
        day = parse_day(words[0])
        # The sport and title are checked now, so a typo is fixed before the steps.
        planning.WorkoutSpec(sport=words[1].lower(), title=words[2]).validated()
        await ctx.await_text(
            "coach_plan",
            athlete=state["athlete"],
            day=day.isoformat(),
            sport=words[1].lower(),
            title=words[2],
        )
        ctx.reply(ctx.t("plan_ask_steps"))
        return
    steps = "" if text == "-" else text.replace(";", "\n")
    form = PlanForm(
        int(state["athlete"]),
        date.fromisoformat(state["day"]),
        state["sport"],
        state["title"],
        steps,
    )
    await _plan(ctx, form)
    await ctx.clear()


async def on_plan_form(ctx: Context) -> None:
    assert isinstance(ctx.request.form, PlanForm)
    if _is_coach(ctx):
        await _plan(ctx, ctx.request.form)


async def _plan(ctx: Context, form: PlanForm) -> None:
    """The one way a coach plans a workout, from a form or the chat's questions."""
    athlete = await _athlete_to_plan(ctx, form.athlete_id)
    if form.day is None:
        raise InvalidFields([Problem("date", "missing")], "Date: pick a date.")
    spec = planning.WorkoutSpec(
        sport=form.sport,
        title=form.title,
        structure=parse_steps(form.steps),
        key_workout=form.key_workout,
    )
    workout = await planning.create_workout(
        ctx.session, ctx.clock, ctx.user.id, athlete.id, form.day, spec
    )
    day = day_label(form.day, ctx.locale)
    ctx.reply(ctx.t("plan_done", title=workout.title, name=athlete.name, day=day))


async def move(ctx: Context) -> None:
    """`/move NAME FROM TO`: the athlete's workout planned on FROM goes to TO."""
    if not _is_coach(ctx):
        return
    words = ctx.request.args.split()
    if len(words) < 3:
        ctx.reply(ctx.t("move_usage"))
        return
    first, to = parse_day(words[-2]), parse_day(words[-1])
    with _pointing_to_roster(ctx):
        found = await coach_view.find_athlete(ctx.session, ctx.user.id, " ".join(words[:-2]))
    that_day = await planning.workouts_between(ctx.session, ctx.user.id, found.id, first, first)
    movable = [w for w in that_day if w.status != WorkoutStatus.COMPLETED] or that_day
    if not movable:
        raise NotFound(
            "refuse_nothing_planned_on", name=found.name, day=day_label(first, ctx.locale)
        )
    await _move(ctx, MoveForm(movable[0].id, to))


async def ask_move(ctx: Context, athlete_id: int, workout_id: int) -> None:
    athlete = await _athlete_to_plan(ctx, athlete_id)
    workout = await ctx.session.get(Workout, workout_id)
    if workout is None or workout.athlete_id != athlete.id:
        raise NotFound("refuse_no_workout_to_move", name=athlete.name)
    if not ctx.settings.forms:
        plans.move_choices(ctx, workout)
        return
    ask = FormAsk(
        "move",
        athlete.id,
        athlete.name,
        workout.scheduled_date,
        workout.id,
        workout.title,
        locale=ctx.locale,
    )
    ctx.reply(ctx.t("move_opening", title=workout.title, name=athlete.name), form=ask)


async def on_move_form(ctx: Context) -> None:
    assert isinstance(ctx.request.form, MoveForm)
    if _is_coach(ctx):
        await _move(ctx, ctx.request.form)


async def _move(ctx: Context, form: MoveForm) -> None:
    if form.day is None:
        raise InvalidFields([Problem("date", "missing")], "Date: pick a date.")
    workout = await planning.move_workout(
        ctx.session, ctx.clock, ctx.user.id, form.workout_id, form.day
    )
    ctx.reply(ctx.t("moved", title=workout.title, day=day_label(form.day, ctx.locale)))


async def ask_comment(ctx: Context, athlete_id: int, workout_id: int) -> None:
    athlete = await coach_view.coached_athlete(ctx.session, ctx.user.id, athlete_id)
    await require_permission(ctx.session, ctx.user.id, athlete.id, Permission.COMMENT)
    if ctx.settings.forms:
        today = local_date(ctx.clock.now(), athlete.timezone)
        ask = FormAsk(
            "comment", athlete.id, athlete.name, today, workout_id or None, locale=ctx.locale
        )
        ctx.reply(ctx.t("comment_opening", name=athlete.name), form=ask)
        return
    await ctx.await_text("coach_comment", athlete=athlete.id, workout=workout_id)
    ctx.reply(ctx.t("comment_ask", name=athlete.name))


async def digest(ctx: Context) -> None:
    if not _is_coach(ctx):
        return
    athletes = await coach_attention(ctx.session, ctx.clock, ctx.user.id)
    if not athletes:
        ctx.reply(ctx.t("digest_none"))
        return
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    lines: list[Text | str] = [
        Text.of(bold(ctx.t("dg_title", day=day_label(today, ctx.locale)))),
        ctx.tn("dg_count", len(athletes)),
    ]
    for entry in athletes:
        lines.append(Text.of(bold(str(entry["name"]))))
        lines += [f"  • {reason_text(ctx.locale, r)}" for r in entry["reasons"]]
    ctx.reply(
        join_lines(lines),
        _open_buttons([(int(e["athlete_id"]), str(e["name"])) for e in athletes]),
    )


def parse_day(value: str) -> date:
    """A date the coach typed (YYYY-MM-DD), refused in their words otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("refuse_not_a_date", value=value) from None


async def assign(ctx: Context) -> None:
    """`/assign TEMPLATE NAME YYYY-MM-DD [confirm]`: a plan template on the calendar; the
    longest template name that exists wins, the rest is the athlete's name."""
    if not _is_coach(ctx):
        return
    words = ctx.request.args.split()
    confirmed = bool(words) and words[-1].lower() == "confirm"  # after an overlap warning
    words = words[:-1] if confirmed else words
    if len(words) < 3:
        ctx.reply(ctx.t("assign_usage"))
        return
    start = parse_day(words[-1])
    rest = words[:-1]
    for cut in range(len(rest) - 1, 0, -1):
        try:
            template = await planning.find_template(ctx.session, ctx.user.id, " ".join(rest[:cut]))
        except NotFound:
            continue
        with _pointing_to_roster(ctx):
            found = await coach_view.find_athlete(ctx.session, ctx.user.id, " ".join(rest[cut:]))
        try:
            training = await planning.assign_template(
                ctx.session,
                ctx.clock,
                ctx.user.id,
                template.id,
                found.id,
                start,
                overlap_confirmed=confirmed,
            )
        except planning.PlanOverlap as overlap:
            plans = ", ".join(
                ctx.t(
                    "assign_span",
                    name=p.name,
                    first=day_label(p.first, ctx.locale),
                    last=day_label(p.last, ctx.locale),
                )
                for p in overlap.plans
            )
            ctx.reply(ctx.t("assign_overlap", name=found.name, plans=plans, args=ctx.request.args))
            return
        ctx.reply(
            ctx.tn(
                "assign_done",
                template.weeks,
                plan=training.name,
                name=found.name,
                day=day_label(start, ctx.locale),
            )
        )
        return
    raise NotFound("refuse_no_template_called", name=" ".join(rest[:-1]) or rest[0])


async def feed(ctx: Context) -> None:
    """`/feed here|dm`: where the athletes' activities are posted (a private place only)."""
    if not _is_coach(ctx):
        return
    set_feed = ctx.settings.set_feed
    if set_feed is None:
        ctx.reply(ctx.t("feed_elsewhere"))
        return
    choice, place = ctx.request.args.strip().lower(), ctx.request.place
    if choice == "dm" or (choice == "here" and place is not None and place.direct):
        count = await set_feed(ctx.session, ctx.user.id, None)
        ctx.reply(ctx.tn("feed_dm", count))
    elif choice == "here" and place is not None and place.private:
        count = await set_feed(ctx.session, ctx.user.id, place.chat_id)
        ctx.reply(ctx.tn("feed_here", count))
    elif choice == "here":
        ctx.reply(ctx.t("feed_not_private"))
    else:
        ctx.reply(ctx.t("feed_usage"))


COMMANDS = {
    "plan": plan,
    "move": move,
    "assign": assign,
    "feed": feed,
    "roster": roster,
    "athlete": athlete,
    "invite": invite,
    "comment": comment,
    "digest": digest,
}
BUTTONS = {Scope.ROSTER.value: on_roster_button}
AWAITING: dict[str, Handler] = {"coach_plan": on_plan_answer, "coach_comment": on_comment_answer}
FORMS: dict[type, Handler] = {
    PlanForm: on_plan_form,
    CommentForm: on_comment_form,
    MoveForm: on_move_form,
}
