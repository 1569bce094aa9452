"""/fitness, /race, /coach, comment replies, /settings, /connect, /help."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.conversation.callbacks import Scope, cb
from bot.conversation.charts import load_chart
from bot.conversation.context import Context
from bot.conversation.dates import long_date
from bot.conversation.handlers import connections, thresholds
from bot.conversation.handlers.onboarding import ask_timezone
from bot.conversation.handlers.onboarding import on_text as onboarding_text
from bot.conversation.types import Button, Buttons, Image, RequestKind, Text
from core.coaching import comments
from core.coaching import relationships as coaching
from core.dates import read_date
from core.db.models import ConnectedAccount, MessageRef, User
from core.enums import DeliveryMode, NotificationKind, Role, Units
from core.errors import InvalidInput, NotFound
from core.load import daily as training_load
from core.load import race_outlook, threshold_entry
from core.outbox import notifications
from core.people import identities as accounts
from core.people import preferences
from core.sync.connections.account_status import ACTIVE, REVOKED, mark_disconnecting
from core.sync.connections.connect_links import connect_url
from core.timeutil import local_date

SETTINGS_KINDS = (
    NotificationKind.COACH_COMMENT,
    NotificationKind.REMINDER,
    NotificationKind.WEEKLY_SUMMARY,
    NotificationKind.CHECK_IN,
    NotificationKind.NEW_PLAN,
    NotificationKind.WORKOUT_CHANGED,
)
_MODES = (DeliveryMode.INSTANT, DeliveryMode.DIGEST, DeliveryMode.OFF)


def advice_key(form: float) -> str:
    if form > 5:
        return "advice_fresh"
    if form > -10:
        return "advice_ok"
    if form > -30:
        return "advice_tired"
    return "advice_very_tired"


async def fitness(ctx: Context) -> None:
    me = ctx.user.id
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    await training_load.recompute_through_today(ctx.session, ctx.clock, me, today)
    drawn = await load_chart(ctx.session, ctx.clock, ctx.user)
    if drawn is None:
        ctx.reply(ctx.t("no_history"))
        return
    png, series = drawn
    fit, fat, form = series.fitness[-1], series.fatigue[-1], series.form[-1]
    week_ago = series.fitness[-8] if len(series.fitness) >= 8 else 0.0
    trend = (
        "trend_up" if fit > week_ago + 1 else "trend_down" if fit < week_ago - 1 else "trend_flat"
    )
    reading = ctx.t(
        "fitness_reading",
        fitness=fit,
        fatigue=fat,
        form=form,
        trend=ctx.t(trend),
        advice=ctx.t(advice_key(form)),
    )
    ctx.reply(Image(png, f"fitness-{today.isoformat()}.png"), reading)


async def race(ctx: Context) -> None:
    """/race DATE: the projected Fitness/Fatigue/Form, what it rests on, and advice only
    when the plan reaches that day (`core.load.race_outlook`)."""
    text = ctx.request.args.strip()
    if not text:
        ctx.reply(ctx.t("race_usage", example=race_example(ctx)))
        return
    me = ctx.user.id
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    try:
        day = read_date(text, today, month_first=ctx.user.units == Units.IMPERIAL)
    except InvalidInput:
        ctx.reply(ctx.t("race_bad_date", text=text, example=race_example(ctx)))
        return
    await training_load.recompute_through_today(ctx.session, ctx.clock, me, today)
    seen = await race_outlook.outlook(ctx.session, ctx.clock, me, me, day)
    shown = long_date(day, ctx.locale)
    if not seen.has_basis:
        ctx.reply(ctx.t("race_no_data", day=shown))
        return
    so_far = ctx.t("race_so_far" if seen.has_history else "race_so_far_none")
    if seen.plan_until is None:
        basis = ctx.t("race_basis_rest", so_far=so_far)
    elif seen.plan_until >= day:
        basis = ctx.t("race_basis_full", so_far=so_far)
    else:
        basis = ctx.t(
            "race_basis_plan", so_far=so_far, until=long_date(seen.plan_until, ctx.locale)
        )
    advice = ctx.t(advice_key(seen.form)) if seen.may_advise else ctx.t("race_no_advice")
    reading = ctx.t(
        "race_reading", day=shown, fitness=seen.fitness, fatigue=seen.fatigue, form=seen.form
    )
    ctx.reply("\n".join((reading, basis, advice)))


async def coach(ctx: Context) -> None:
    code = ctx.request.args.strip()
    me = ctx.user.id
    if code:
        relationship = await coaching.accept_invitation(ctx.session, ctx.clock, me, code)
        coach_user = await ctx.session.get_one(User, relationship.coach_id)
        ctx.reply(ctx.t("coach_joined", coach=coach_user.name))
        return
    relationship = await coaching.active_relationship_of_athlete(ctx.session, me)
    if relationship is None:
        ctx.reply(ctx.t("coach_usage"))
        return
    coach_user = await ctx.session.get_one(User, relationship.coach_id)
    ctx.reply(
        ctx.t("coach_current", coach=coach_user.name),
        Buttons.of([Button(ctx.t("btn_leave"), cb(Scope.COACH, "leave"))]),
    )


async def on_coach_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    relationship = await coaching.active_relationship_of_athlete(ctx.session, ctx.user.id)
    if relationship is None:
        ctx.reply(ctx.t("coach_usage"))
        return
    coach_user = await ctx.session.get_one(User, relationship.coach_id)
    if callback.action == "leave":
        ctx.reply(
            ctx.t("leave_confirm", coach=coach_user.name),
            Buttons.of([Button(ctx.t("btn_leave_yes"), cb(Scope.COACH, "leaveok"))]),
        )
        return
    await coaching.end_relationship(ctx.session, ctx.clock, ctx.user.id, relationship.id)
    ctx.reply(ctx.t("left_coach", coach=coach_user.name))


async def on_comment_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    kind, subject_id = callback.str_arg(0), callback.int_arg(1)
    key = "workout_id" if kind == "w" else "activity_id"
    await ctx.await_text("comment", **{key: subject_id})
    relationship = await coaching.active_relationship_of_athlete(ctx.session, ctx.user.id)
    author = (await ctx.session.get_one(User, relationship.coach_id)).name if relationship else ""
    ctx.reply(ctx.t("ask_reply", author=author or "coach"))


async def on_comment_text(ctx: Context) -> None:
    state = await ctx.state()
    await ctx.clear()
    await comments.add_comment(
        ctx.session,
        ctx.clock,
        ctx.user.id,
        ctx.request.text,
        workout_id=state.get("workout_id"),
        activity_id=state.get("activity_id"),
    )
    ctx.reply(ctx.t("reply_sent"))


async def reply_to_message(ctx: Context) -> bool:
    """A platform reply to a message that stands for a workout/activity becomes a comment."""
    target = ctx.request.reply_to
    if target is None or ctx.request.kind is not RequestKind.TEXT:
        return False
    ref = await ctx.session.scalar(
        select(MessageRef).where(
            MessageRef.platform == str(ctx.request.address.platform),
            MessageRef.chat_id == target.chat_id,
            MessageRef.message_id == target.message_id,
        )
    )
    if ref is None or (ref.workout_id is None and ref.activity_id is None):
        return False
    await comments.add_comment(
        ctx.session,
        ctx.clock,
        ctx.user.id,
        ctx.request.text,
        workout_id=ref.workout_id,
        activity_id=None if ref.workout_id else ref.activity_id,
    )
    ctx.reply(ctx.t("reply_sent"))
    return True


def _hhmm(value: object) -> str:
    return value.strftime("%H:%M") if value is not None else "—"  # type: ignore[attr-defined]


async def settings(ctx: Context) -> None:
    """The settings card; "/settings tz Europe/Paris", "lang fr" or "units imperial"
    change one setting first (the typed way, for a face without buttons to spare)."""
    if ctx.request.command == "settings" and ctx.request.args and not await _typed_setting(ctx):
        return
    user = ctx.user
    quiet = (
        f"{_hhmm(user.quiet_hours_start)}–{_hhmm(user.quiet_hours_end)}"
        if user.quiet_hours_start
        else ctx.t("off")
    )
    ctx.reply(
        Text.of(ctx.t("settings_title") + "\n"),
        ctx.t(
            "settings_summary",
            units=ctx.t(f"units_{user.units}"),
            tz=user.timezone,
            lang=user.locale,
            morning=_hhmm(user.reminder_morning_at),
            evening=_hhmm(user.reminder_evening_at),
            quiet=quiet,
            thresholds=await thresholds.summary(ctx),
        ),
        Buttons.of(
            [
                Button(ctx.t("btn_units"), cb(Scope.SETTINGS, "menu", "units")),
                Button(ctx.t("btn_lang"), cb(Scope.SETTINGS, "menu", "lang")),
                Button(ctx.t("btn_tz"), cb(Scope.SETTINGS, "menu", "tz")),
            ],
            [
                Button(ctx.t("btn_reminders"), cb(Scope.SETTINGS, "menu", "remind")),
                Button(ctx.t("btn_notifications"), cb(Scope.SETTINGS, "menu", "notif")),
                Button(ctx.t("btn_quiet"), cb(Scope.SETTINGS, "menu", "quiet")),
                Button(ctx.t("btn_thresholds"), cb(Scope.SETTINGS, "menu", "thr")),
            ],
        ),
    )


async def _typed_setting(ctx: Context) -> bool:
    """Apply "tz ZONE" / "lang CODE" / "units SYSTEM"; False (after the usage) otherwise."""
    what, _, value = ctx.request.args.partition(" ")
    value, me = value.strip(), ctx.user.id
    match what.lower():
        case "tz" if value:
            await accounts.set_timezone(ctx.session, me, value)
            ctx.reminders_changed = True
        case "lang" if value:
            await accounts.set_locale(ctx.session, me, value.lower())
            ctx.refresh_menu()
        case "units" if value:
            await accounts.set_units(ctx.session, me, value.lower())
        case _:
            ctx.reply(ctx.t("settings_usage"))
            return False
    return True


async def _notif_menu(ctx: Context) -> None:
    modes = await notifications.preferences(ctx.session, ctx.user.id)
    rows = []
    for kind in SETTINGS_KINDS:
        mode = modes[kind]
        following = _MODES[(_MODES.index(mode) + 1) % len(_MODES)]
        rows.append(
            [
                Button(
                    f"{ctx.t('kind_' + kind)}: {ctx.t('mode_' + mode.value)}",
                    cb(Scope.SETTINGS, "notif", kind, following.value),
                )
            ]
        )
    ctx.reply(ctx.t("notif_title"), Buttons.of(*rows))


def _reminder_menu(ctx: Context) -> None:
    current = {"evening": ctx.user.reminder_evening_at, "morning": ctx.user.reminder_morning_at}
    rows = []
    for slot, choices in preferences.REMINDER_CHOICES.items():
        row = [Button(ctx.t(f"remind_{slot}"), cb(Scope.SETTINGS, "menu", "remind"))]
        for value in (None, *choices):
            label = ctx.t("off") if value is None else value.strftime("%H:%M")
            if value == current[slot]:
                label = f"✓ {label}"
            token = "off" if value is None else value.strftime("%H%M")
            row.append(Button(label, cb(Scope.SETTINGS, "remind", slot, token)))
        rows.append(row)
    ctx.reply(
        ctx.t(
            "ask_reminder",
            evening=_hhmm(current["evening"]) if current["evening"] else ctx.t("off"),
            morning=_hhmm(current["morning"]) if current["morning"] else ctx.t("off"),
        ),
        Buttons.of(*rows),
    )


def _quiet_token(start: time, end: time) -> str:
    return f"{start.hour:02d}-{end.hour:02d}"


def _quiet_window(token: str) -> tuple[time | None, time | None]:
    """What a quiet-hours button ("22-07", "off") stands for; core checks it is sane."""
    if token == "off":
        return None, None
    try:
        start, end = (time(int(x)) for x in token.split("-"))
    except ValueError as exc:
        raise InvalidInput("Those quiet hours are not ones I offer; open /settings again.") from exc
    return start, end


async def on_settings_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    me = ctx.user.id
    match callback.action, callback.args:
        case "menu", ("units",):
            other = Units.IMPERIAL if ctx.user.units == Units.METRIC else Units.METRIC
            await accounts.set_units(ctx.session, me, other)
            await settings(ctx)
        case "menu", ("lang",):
            await accounts.set_locale(ctx.session, me, "fr" if ctx.locale == "en" else "en")
            ctx.refresh_menu()
            await settings(ctx)
        case "menu", ("tz",):
            await ask_timezone(ctx, flow="settings")
        case "menu", ("notif",):
            await _notif_menu(ctx)
        case "menu", ("remind",):
            _reminder_menu(ctx)
        case "remind", (slot, token) if slot in preferences.REMINDER_CHOICES:
            at = preferences.reminder_time(slot, token)
            await preferences.set_reminder(ctx.session, me, slot, at)
            ctx.reminders_changed = True
            _reminder_menu(ctx)
        case "menu", ("quiet",):
            ctx.reply(
                ctx.t("ask_quiet"),
                Buttons.of(
                    [
                        Button(v.replace("-", "–"), cb(Scope.SETTINGS, "quiet", v))
                        for v in (_quiet_token(*w) for w in preferences.QUIET_CHOICES)
                    ],
                    [Button(ctx.t("off"), cb(Scope.SETTINGS, "quiet", "off"))],
                ),
            )
        case "menu", ("thr",):
            await thresholds.card(ctx)
        case "thr", (key,):
            await thresholds.ask_in_settings(ctx, key)
        case "tz", (zone,):
            await accounts.set_timezone(ctx.session, me, zone)
            ctx.reminders_changed = True
            await ctx.clear()
            ctx.reply(ctx.t("tz_set", tz=ctx.user.timezone))
        case "notif", (kind, mode):
            await notifications.set_preference(ctx.session, me, kind, mode)
            await _notif_menu(ctx)
        case "quiet", (value,):
            await preferences.set_quiet_hours(ctx.session, me, *_quiet_window(value))
            ctx.reply(ctx.t("saved"))
        case "disc", (provider,):
            await disconnect_provider(ctx, provider)
        case "skip", ():  # a Skip under a threshold question of an older message
            await thresholds.card(ctx)
        case _:
            raise InvalidInput(ctx.t("bad_button"))


async def on_settings_text(ctx: Context) -> None:
    """A typed threshold value, or a city for the timezone."""
    state = await ctx.state()
    if state.get("step") == "thr":
        entry = threshold_entry.field(str(state.get("field")))
        if await thresholds.save_typed(ctx, entry, onboarding=False):
            await thresholds.card(ctx)
        return
    await onboarding_text(ctx, flow="settings")


async def connect(ctx: Context) -> None:
    """One link button per configured provider, or Disconnect for a connected one.

    `/connect strava` (the command a revoked-sync notice suggests) shows only Strava;
    `/connect 123456` confirms the browser page that shows that code.
    """
    if connections.is_code(ctx.request.args):
        await connections.confirm_code(ctx, ctx.request.args)
        return
    offered = _offered_providers(ctx)
    if not offered:
        ctx.reply(ctx.t("connect"))
        return
    wanted = ctx.request.args.strip().lower()
    if wanted in offered:
        offered = (wanted,)
    status = await _connection_status(ctx)
    lines = [ctx.t("connect_intro")]
    lines += [
        ctx.t(f"connect_{status[name]}", provider=_name(name)) for name in offered if name in status
    ]
    rows: list[list[Button]] = []
    for name in offered:
        if status.get(name) == ACTIVE:
            rows.append(
                [
                    Button(
                        ctx.t("btn_disconnect", provider=_name(name)),
                        cb(Scope.SETTINGS, "disc", name),
                    )
                ]
            )
        else:
            url = connect_url(
                ctx.settings.public_url or "",
                ctx.settings.secret_key or "",
                ctx.user.id,
                name,
                ctx.clock.now(),
            )
            rows.append([Button(ctx.t("btn_connect", provider=_name(name)), url=url)])
    ctx.reply("\n".join(lines), Buttons.of(*rows))


async def disconnect_provider(ctx: Context, provider: str) -> None:
    """Stop syncing the person's own account in this transaction.

    The account is marked `disconnecting`: every sync step (webhook events, polls,
    backfill) skips it from the commit on. Revoking the grant at the provider and
    forgetting the tokens needs HTTP, which this layer never does: the dispatcher calls
    `settings.after_disconnect` once the transaction has committed, and the hourly sweep
    finishes whatever that missed (`core.sync.connections.disconnects.finish_disconnects`).
    """
    rows = await ctx.session.scalars(
        select(ConnectedAccount).where(
            ConnectedAccount.user_id == ctx.user.id,
            ConnectedAccount.provider == provider,
            ConnectedAccount.status == ACTIVE,
        )
    )
    accounts_ = list(rows)
    if not accounts_:
        raise NotFound(ctx.t("not_connected", provider=_name(provider)))
    for account in accounts_:
        mark_disconnecting(account)
    await ctx.session.flush()
    hook = ctx.settings.after_disconnect
    if hook is not None:
        user_id = ctx.user.id
        ctx.after_commit.append(lambda: hook(user_id))
    ctx.reply(ctx.t("disconnected", provider=_name(provider)))


def _offered_providers(ctx: Context) -> tuple[str, ...]:
    settings = ctx.settings
    if not (settings.public_url and settings.secret_key):
        return ()  # a connect link cannot be signed or opened
    return settings.enabled_providers


async def _connection_status(ctx: Context) -> dict[str, str]:
    """Provider -> "active" or "revoked"; an active account wins over an old revoked one.

    An account still being disconnected shows as disconnected: the person is done with it.
    """
    rows = await ctx.session.scalars(
        select(ConnectedAccount).where(ConnectedAccount.user_id == ctx.user.id)
    )
    status: dict[str, str] = {}
    for account in rows:
        if status.get(account.provider) != ACTIVE:
            status[account.provider] = ACTIVE if account.status == ACTIVE else REVOKED
    return status


def _name(provider: str) -> str:
    return provider.capitalize()  # Strava, Garmin, Polar, Coros


def race_example(ctx: Context) -> str:
    """A race date to show in examples: twelve weeks out, so it is always ahead."""
    return (local_date(ctx.clock.now(), ctx.user.timezone) + timedelta(weeks=12)).isoformat()


async def help_command(ctx: Context, page: int = 1) -> None:
    face = ctx.face_key("help_face")
    if face != "help_face":
        # A coach's face (Slack) lists the coach commands and its own, on one page.
        ctx.reply(ctx.t("help_coach") + "\n\n" + ctx.t(face))
        return
    other = 2 if page == 1 else 1
    label = ctx.t("next_page" if page == 1 else "prev_page")
    text = ctx.t(f"help_{page}", example=race_example(ctx))
    if page == 1 and ctx.user.role in (Role.COACH, Role.BOTH):
        # A coach's commands come first: they are why a coach opened the chat.
        text = ctx.t("help_coach") + "\n\n" + text
        ctx.refresh_menu()  # coaches from before per-chat menus get theirs here
    ctx.reply(text, Buttons.of([Button(label, cb(Scope.PAGE, "help", other))]))


async def on_page_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    await help_command(ctx, page=2 if callback.int_arg(0) == 2 else 1)


COMMANDS = {
    "fitness": fitness,
    "race": race,
    "coach": coach,
    "settings": settings,
    "connect": connect,
    "help": help_command,
}
BUTTONS = {
    Scope.COACH.value: on_coach_button,
    Scope.COMMENT.value: on_comment_button,
    Scope.SETTINGS.value: on_settings_button,
    Scope.PAGE.value: on_page_button,
}
AWAITING = {"comment": on_comment_text, "settings": on_settings_text}
HEAVY = frozenset({"fitness"})  # draws a chart; /race is a cheap forecast
