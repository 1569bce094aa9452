"""Thresholds in chat: asked one by one in /start, shown and changed in /settings.

What a value may be, and how typed text reads, is `core.load.threshold_entry`'s rule; this
module asks, words refusals in the person's language and shows the current values with
the date each holds from.
"""

from __future__ import annotations

from bot.conversation.callbacks import Scope, cb
from bot.conversation.context import Context
from bot.conversation.dates import long_date
from bot.conversation.types import Button, Buttons
from core.load import threshold_entry
from core.load.threshold_entry import FIELDS, Field, Problem, ThresholdRefused
from core.timeutil import local_date


def _name(ctx: Context, entry: Field) -> str:
    return ctx.t(f"thr_name_{entry.key}")


def _unit(ctx: Context, entry: Field) -> str:
    return ctx.t(f"thr_unit_{entry.key}")


async def ask_in_onboarding(ctx: Context, index: int) -> None:
    """Question `index` of /start's thresholds, or the end of /start past the last."""
    if index >= len(FIELDS):
        await ctx.clear()
        ctx.user.onboarded = True
        ctx.reply(ctx.t("onboarded"))
        return
    entry = FIELDS[index]
    await ctx.await_text("onboarding", step="thr", index=index)
    ctx.reply(
        ctx.t("onboard_thr", n=index + 1, total=len(FIELDS), what=ctx.t(f"thr_what_{entry.key}")),
        onboarding_buttons(ctx),
    )


def onboarding_buttons(ctx: Context) -> Buttons:
    return Buttons.of(
        [
            Button(ctx.t("skip"), cb(Scope.ONBOARD, "skip")),
            Button(ctx.t("skip_rest"), cb(Scope.ONBOARD, "skipall")),
        ]
    )


def settings_buttons(ctx: Context) -> Buttons:
    return Buttons.of([Button(ctx.t("btn_back"), cb(Scope.SETTINGS, "menu", "thr"))])


async def ask_in_settings(ctx: Context, key: str) -> None:
    entry = threshold_entry.field(key)
    await ctx.await_text("settings", step="thr", field=entry.key)
    ctx.reply(ctx.t("settings_thr", what=ctx.t(f"thr_what_{entry.key}")), settings_buttons(ctx))


async def save_typed(ctx: Context, entry: Field, *, onboarding: bool) -> bool:
    """Store what the person typed for `entry` from today; False (and why, with the
    question's buttons again) if refused."""
    text = ctx.request.text
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    try:
        value = threshold_entry.parse(entry, text)
        await threshold_entry.set_one(
            ctx.session, ctx.clock, ctx.user.id, ctx.user.id, today, entry, value
        )
    except ThresholdRefused as refused:
        again = ctx.t("thr_again" if onboarding else "thr_again_settings")
        buttons = onboarding_buttons(ctx) if onboarding else settings_buttons(ctx)
        ctx.reply(_refusal(ctx, refused, text) + " " + again, buttons)
        return False
    ctx.reply(
        ctx.t(
            "thr_saved",
            name=_name(ctx, entry),
            value=threshold_entry.show(entry, value),
            unit=_unit(ctx, entry),
            day=long_date(today, ctx.locale),
        )
    )
    return True


def _refusal(ctx: Context, refused: ThresholdRefused, text: str) -> str:
    entry = refused.field
    values = {
        "text": text.strip(),
        "name": _name(ctx, entry),
        "unit": _unit(ctx, entry),
        "example": entry.example,
        "low": threshold_entry.show(entry, entry.low),
        "high": threshold_entry.show(entry, entry.high),
        "value": text.strip(),
    }
    key = {
        Problem.NOT_A_NUMBER: "thr_not_a_number",
        Problem.NOT_A_PACE: "thr_not_a_pace",
        Problem.OUT_OF_RANGE: "thr_out_of_range",
        Problem.HR_ORDER: "thr_hr_order",
    }[refused.problem]
    return ctx.t(key, **values)


async def lines(ctx: Context) -> list[str]:
    """One line per threshold: its value and since when, or "not set"."""
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    out = []
    for held in await threshold_entry.current(ctx.session, ctx.user.id, today):
        name = _name(ctx, held.field)
        if held.value is None or held.since is None:
            out.append(ctx.t("thr_unset", name=name))
            continue
        out.append(
            ctx.t(
                "thr_line",
                name=name,
                value=threshold_entry.show(held.field, held.value),
                unit=_unit(ctx, held.field),
                since=long_date(held.since, ctx.locale),
            )
        )
    return out


async def summary(ctx: Context) -> str:
    """The thresholds that are set, on one line ("FTP 250 W · Threshold pace 4:15 /km")."""
    today = local_date(ctx.clock.now(), ctx.user.timezone)
    held = [h for h in await threshold_entry.current(ctx.session, ctx.user.id, today) if h.value]
    return " · ".join(
        f"{_name(ctx, h.field)} {threshold_entry.show(h.field, h.value or 0)} {_unit(ctx, h.field)}"
        for h in held
    ) or ctx.t("none")


async def card(ctx: Context) -> None:
    """/settings → Thresholds: the values with their dates, a button to change each."""
    await ctx.clear()
    buttons = [Button(_name(ctx, f), cb(Scope.SETTINGS, "thr", f.key)) for f in FIELDS]
    ctx.reply(
        "\n".join([ctx.t("thr_title"), *await lines(ctx), "", ctx.t("thr_hint")]),
        Buttons.of(buttons[:2], buttons[2:4], buttons[4:6], buttons[6:]),
    )
