"""Connecting a provider, the chat half: the browser's code and an owner's answer.

`/connect CODE` confirms the browser that opened this person's connect link
(core.sync.connections.connect_links.confirm_browser): the code is only on that browser's
page, and only this person's own browsers are looked at, so a forwarded link confirms
nothing. The give / keep buttons answer "another person connected your provider account"
(core.sync.connections.account_transfers.decide_transfer); the buttons reach only the
account's owner.
"""

from __future__ import annotations

import re

from bot.conversation.callbacks import Scope
from bot.conversation.context import Context, Handler
from core.errors import InvalidInput
from core.sync.connections.account_transfers import TransferAnswer, decide_transfer
from core.sync.connections.connect_links import CODE_DIGITS, Confirmation, confirm_browser

# What `/connect` takes as a code rather than a provider name.
CODE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")


def is_code(args: str) -> bool:
    return bool(CODE.match(args.strip()))


async def confirm_code(ctx: Context, code: str) -> None:
    """Reply, never raise, on a wrong code: the attempt it counted must be committed."""
    result = await confirm_browser(ctx.session, ctx.clock, ctx.user.id, code)
    match result.outcome:
        case Confirmation.CONFIRMED:
            provider = (result.provider or "").capitalize()
            ctx.reply(ctx.t("connect_code_ok", provider=provider))
        case Confirmation.WRONG_CODE:
            ctx.reply(ctx.t("connect_code_wrong", left=result.attempts_left))
        case _:
            ctx.reply(ctx.t("connect_code_none"))


async def on_account_button(ctx: Context) -> None:
    callback = ctx.request.callback
    assert callback is not None
    if callback.action not in ("give", "keep"):
        raise InvalidInput(ctx.t("bad_button"))
    result = await decide_transfer(
        ctx.session,
        ctx.clock,
        callback.int_arg(0),
        ctx.user.id,
        accept=callback.action == "give",
        backfill_days=ctx.settings.backfill_days,
    )
    if result.answer == TransferAnswer.GONE:
        ctx.reply(ctx.t("transfer_gone"))
        return
    hook, account_id = ctx.settings.after_connect, result.account_id
    if hook is not None and account_id is not None:
        ctx.after_commit.append(lambda: hook(account_id))
    # The owner reads the outcome here; the newcomer through the outbox (decide_transfer).
    ctx.reply(
        ctx.t(
            f"n_transfer_{result.answer.value}_owner",
            provider=result.provider.capitalize(),
            other=result.newcomer,
        )
    )


COMMANDS: dict[str, Handler] = {}
BUTTONS: dict[str, Handler] = {Scope.ACCOUNT.value: on_account_button}
AWAITING: dict[str, Handler] = {}
