"""/start: role, timezone, units, optional thresholds (FTP, heart rates, paces, swim CSS,
weight). Re-running it only updates answers.

/start CODE (a coach's invitation link) also joins that coach."""

from __future__ import annotations

import re

from bot.conversation.callbacks import Scope, cb
from bot.conversation.context import Context
from bot.conversation.handlers import thresholds
from bot.conversation.timezones import COMMON_ZONES, MORE_ZONES
from bot.conversation.types import Button, Buttons, GeoPoint, LocationAsk, RequestKind
from core.coaching import relationships as coaching
from core.db.models import User
from core.enums import Role, Units
from core.errors import DomainError
from core.load.threshold_entry import FIELDS
from core.people import identities as accounts
from core.people.timezones import ZoneChoice, zone_for_location, zone_for_text

# "45.76,4.84" or "45.76, 4.84": a location typed where a door has no location button.
_LAT_LON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


async def start(ctx: Context) -> None:
    """/start, or /start CODE from a coach's invitation link (t.me/<bot>?start=CODE).

    The code joins the coach at once; a person already set up is done, a new one goes on
    with the questions. A bad code gets the invitation's own explanation, and a new
    person is still set up.
    """
    code = ctx.request.args.strip()
    if code:
        await join_coach(ctx, code)
        if ctx.user.onboarded:
            return
    name = ctx.user.name
    ctx.reply(ctx.t("welcome_back" if ctx.user.onboarded else "welcome", name=name))
    await ask_role(ctx)


async def join_coach(ctx: Context, code: str) -> None:
    try:
        relationship = await coaching.accept_invitation(ctx.session, ctx.clock, ctx.user.id, code)
    except DomainError as refused:
        # accept_invitation refuses before writing anything, so the rest of /start can
        # go on in the same transaction.
        ctx.reply(refused.message)
        return
    coach = await ctx.session.get_one(User, relationship.coach_id)
    ctx.reply(ctx.t("coach_joined", coach=coach.name))


async def ask_role(ctx: Context) -> None:
    await ctx.await_text("onboarding", step="role")
    ctx.reply(
        ctx.t("ask_role"),
        Buttons.of(
            [
                Button(ctx.t(f"role_{role.value}"), cb(Scope.ONBOARD, "role", role.value))
                for role in Role
            ]
        ),
    )


def zone_buttons(ctx: Context, scope: Scope, zones: tuple[str, ...], more: bool) -> Buttons:
    rows = [
        [Button(zone.split("/")[-1].replace("_", " "), cb(scope, "tz", zone)) for zone in pair]
        for pair in (zones[i : i + 3] for i in range(0, len(zones), 3))
    ]
    if more:
        rows.append([Button(ctx.t("tz_more"), cb(scope, "tzlist"))])
    return Buttons.of(*rows)


async def ask_timezone(ctx: Context, *, flow: str = "onboarding") -> None:
    await ctx.await_text(flow, step="tz")
    scope = Scope.ONBOARD if flow == "onboarding" else Scope.SETTINGS
    ctx.reply(
        ctx.t("ask_tz"),
        zone_buttons(ctx, scope, COMMON_ZONES, more=scope == Scope.ONBOARD),
        ctx.t("tz_share"),
        LocationAsk(ctx.t("btn_share_location"), ctx.t("tz_share_typed")),
    )


async def ask_units(ctx: Context) -> None:
    await ctx.await_text("onboarding", step="units")
    ctx.reply(
        ctx.t("ask_units"),
        Buttons.of(
            [Button(ctx.t(f"units_{u.value}"), cb(Scope.ONBOARD, "units", u.value)) for u in Units]
        ),
    )


async def set_zone(ctx: Context, choice: ZoneChoice, *, from_location: bool) -> None:
    await accounts.set_timezone(ctx.session, ctx.user.id, choice.zone)
    ctx.reminders_changed = True  # reminders fire at local times: they move with the zone
    if from_location and choice.city:
        ctx.reply(ctx.t("tz_from_location", city=choice.city, tz=choice.zone))
    elif from_location:
        ctx.reply(ctx.t("tz_from_offset", tz=choice.zone))
    else:
        ctx.reply(ctx.t("tz_set", tz=choice.zone))


async def on_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    match callback.action:
        case "role":
            await accounts.set_role(ctx.session, ctx.user.id, callback.str_arg(0))
            ctx.refresh_menu()
            await ask_timezone(ctx)
        case "tz":
            await set_zone(ctx, zone_for_text(callback.str_arg(0)), from_location=False)
            await ask_units(ctx)
        case "tzlist":
            ctx.reply(ctx.t("ask_tz"), zone_buttons(ctx, Scope.ONBOARD, MORE_ZONES, more=False))
        case "units":
            await accounts.set_units(ctx.session, ctx.user.id, callback.str_arg(0))
            await thresholds.ask_in_onboarding(ctx, 0)
        case "skip":
            state = await ctx.state()
            await thresholds.ask_in_onboarding(ctx, int(state.get("index", 0)) + 1)
        case "skipall":
            await thresholds.ask_in_onboarding(ctx, len(FIELDS))


async def on_text(ctx: Context, flow: str = "onboarding") -> None:
    """A typed answer: a city for the timezone question, a value for a threshold."""
    state = await ctx.state()
    step = state.get("step")
    text = ctx.request.text
    if step == "tz" and (typed := _LAT_LON.match(text)):
        point = GeoPoint(float(typed.group(1)), float(typed.group(2)))
        await on_location(ctx, point)
        return
    if step == "tz":
        await set_zone(ctx, zone_for_text(text), from_location=False)
        if flow == "onboarding":
            await ask_units(ctx)
        else:
            await ctx.clear()
        return
    index = int(state.get("index", -1))
    if step == "thr" and 0 <= index < len(FIELDS):
        if await thresholds.save_typed(ctx, FIELDS[index], onboarding=True):
            await thresholds.ask_in_onboarding(ctx, index + 1)
        return
    # Waiting for a button (role, units): repeat the question rather than guess.
    if step == "role":
        await ask_role(ctx)
    elif step == "units":
        await ask_units(ctx)


async def on_location(ctx: Context, typed: GeoPoint | None = None) -> None:
    """A shared location (or one typed as "lat,lon" at the timezone question)."""
    location = typed or ctx.request.location
    assert location is not None
    state = await ctx.state()
    await set_zone(
        ctx, zone_for_location(location.latitude, location.longitude), from_location=True
    )
    if state.get("awaiting") == "onboarding" and state.get("step") == "tz":
        await ask_units(ctx)
    elif state.get("awaiting") == "settings":
        await ctx.clear()


COMMANDS = {"start": start}
BUTTONS = {Scope.ONBOARD.value: on_button}
AWAITING = {"onboarding": on_text}
KIND_HANDLERS = {RequestKind.LOCATION: on_location}
