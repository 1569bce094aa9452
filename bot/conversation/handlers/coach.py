"""Coach commands in any chat door: /roster, /athlete, /invite, /comment, /digest.

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

from bot.conversation.callbacks import Scope, cb
from bot.conversation.cards import activity_summary, day_label
from bot.conversation.context import Context, Handler

# The digest's reason wording, shared with the scheduled digest a coach receives so both
# read the same; it lives with the notification renderers.
from bot.conversation.notifications import reason_text
from bot.conversation.types import Button, Buttons, Text, bold, join_lines, link
from core.coaching import coach_view, comments
from core.coaching import relationships as coaching
from core.coaching.coach_view import AthleteSnapshot
from core.db.models import Activity, Workout
from core.enums import Role
from core.errors import InvalidInput, NotFound
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
    callback = ctx.request.callback
    assert callback is not None
    if not _is_coach(ctx):
        return
    # The id comes from a button anyone could forge: athlete_snapshot checks permission.
    await _show_athlete(ctx, callback.int_arg(0))


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
    subject = await coach_view.comment_subject(ctx.session, ctx.clock, ctx.user.id, found)
    on = {"activity_id" if isinstance(subject, Activity) else "workout_id": subject.id}
    # add_comment writes the outbox row that carries the comment to the athlete.
    await comments.add_comment(ctx.session, ctx.clock, ctx.user.id, text, **on)
    ctx.reply(ctx.t("comment_sent", name=found.name, subject=subject_label(ctx.locale, subject)))


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


COMMANDS = {
    "roster": roster,
    "athlete": athlete,
    "invite": invite,
    "comment": comment,
    "digest": digest,
}
BUTTONS = {Scope.ROSTER.value: on_roster_button}
AWAITING: dict[str, Handler] = {}
