"""/link: one person on Telegram (or the console) and in Slack.

`/link` makes a code to type in Slack (`/trainlytics link CODE`); `/link CODE` redeems a
code made in Slack (`/trainlytics link`). The rules (who is kept, single use, expiry,
wrong tries) are `core.people.linking`'s; a refusal is a reply, not an error, so the wrong try
it records is committed.
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.types import code
from core.enums import Role
from core.people import identities as accounts
from core.people import linking


async def link(ctx: Context) -> None:
    typed = ctx.request.args.strip()
    if not typed:
        made = await accounts.create_link_code(ctx.session, ctx.clock, ctx.user.id)
        minutes = int(accounts.LINK_CODE_TTL.total_seconds() // 60)
        ctx.reply(ctx.tx("link_code", code=made, minutes=minutes, command=code(f"/link {made}")))
        return
    outcome = await linking.redeem_link_code(ctx.session, ctx.clock, ctx.request.address, typed)
    if outcome.person is None:
        wait = outcome.retry_after.total_seconds() if outcome.retry_after else 0
        minutes = max(1, -(-int(wait) // 60))
        ctx.reply(ctx.tx(f"link_{outcome.refusal}", minutes=minutes, command=code("/link")))
        return
    ctx.user = outcome.person
    ctx.refresh_menu()  # the person now coaches too: their menu lists the coach commands
    key = "link_done_coach" if ctx.user.role in (Role.COACH, Role.BOTH) else "link_done"
    ctx.reply(ctx.ft(key, name=ctx.user.name))


COMMANDS = {"link": link}
BUTTONS: dict = {}
AWAITING: dict = {}
