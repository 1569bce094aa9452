"""App Home: the coach's roster as a dashboard, one row per athlete with buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import cards
from bot.slack.blocks import context, divider, header
from bot.slack.people import coach_for
from core.coaching import coach_view
from core.services import Services

MAX_ROWS = 45  # two blocks per athlete within the 100-block limit of a view


async def home_view(
    container: Services, team_id: str, user_id: str, client: Any = None
) -> dict[str, Any]:
    async with container.db.unit_of_work() as session:
        coach = await coach_for(session, team_id, user_id, client=client)
        snaps = await coach_view.roster_snapshots(session, container.clock, coach.id)
        locale = coach.locale
    snaps.sort(key=lambda s: (not s.flags, s.athlete.name.casefold()))  # attention first
    blocks = [
        header("Your athletes"),
        context(
            f"{len(snaps)} athlete(s) · those needing attention first · "
            "`/trainlytics help` for commands"
        ),
        divider(),
        *cards.roster_blocks(snaps[:MAX_ROWS], with_buttons=True, locale=locale),
    ]
    return {"type": "home", "blocks": blocks}


def register(app: AsyncApp, container: Services) -> None:
    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home":
            return
        view = await home_view(container, body.get("team_id", ""), event["user"], client)
        await client.views_publish(user_id=event["user"], view=view)
