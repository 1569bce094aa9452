"""/calendar: the person's private calendar link, shown again each time it is asked.

A link someone added to Google or Apple Calendar must keep working, so /calendar shows the
current link (issuing a first one when there is none) with two buttons: "New link" (the
old one stops working) and "Turn off". Tokens are derived in core (`core.calendar.links`).
"""

from __future__ import annotations

from bot.conversation.callbacks import Scope, cb
from bot.conversation.context import Context
from bot.conversation.types import Button, Buttons, EditRef, Text, link
from core.calendar import links as calendar


def _base(ctx: Context) -> str | None:
    return ctx.settings.public_url or ctx.settings.local_url


def _edit(ctx: Context) -> dict[str, EditRef]:
    origin = ctx.request.origin
    return {"edit": EditRef(origin)} if origin else {}


def _buttons(ctx: Context) -> Buttons:
    return Buttons.of(
        [Button(ctx.t("btn_calendar_new"), cb(Scope.CALENDAR, "new"))],
        [Button(ctx.t("btn_calendar_off"), cb(Scope.CALENDAR, "off"))],
    )


def _show(ctx: Context, token: str) -> None:
    public = ctx.settings.public_url
    if public:
        url = calendar.calendar_url(public, token)
        ctx.reply(Text.of(ctx.t("calendar"), link(url, url)), _buttons(ctx), **_edit(ctx))
        return
    # Plain text, not a link entity: a chat app may refuse a link to a loopback address,
    # and the address only opens on the server's own machine anyway.
    url = calendar.calendar_url(ctx.settings.local_url or "", token)
    ctx.reply(ctx.t("calendar_local", url=url), _buttons(ctx), **_edit(ctx))


async def calendar_link(ctx: Context) -> None:
    secret = ctx.settings.secret_key
    if not (_base(ctx) and secret):
        ctx.reply(ctx.t("calendar_unavailable"))
        return
    token, _ = await calendar.current_or_new_token(
        ctx.session, ctx.clock, ctx.user.id, secret=secret
    )
    if token is None:
        ctx.reply(ctx.t("calendar_unshowable"), _buttons(ctx))
        return
    _show(ctx, token)


async def on_calendar_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    secret = ctx.settings.secret_key
    if not (_base(ctx) and secret):
        ctx.reply(ctx.t("calendar_unavailable"))
        return
    if callback.action == "off":
        await calendar.revoke_tokens(ctx.session, ctx.clock, ctx.user.id)
        ctx.reply(ctx.t("calendar_off"), **_edit(ctx))
        return
    token = await calendar.issue_token(ctx.session, ctx.clock, ctx.user.id, secret=secret)
    _show(ctx, token)


COMMANDS = {"calendar": calendar_link}
BUTTONS = {Scope.CALENDAR.value: on_calendar_button}
AWAITING: dict[str, object] = {}
