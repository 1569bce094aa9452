"""Who is talking: a Slack user becomes a Trainlytics coach on first use."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core import accounts, coaching
from core.accounts import ChatAddress
from core.db.models import User
from core.enums import Platform, Role
from core.errors import NotFound


def slack_address(team_id: str, user_id: str, name: str | None = None) -> ChatAddress:
    # chat_id stays the user id: the sender opens the DM channel when it posts.
    return ChatAddress(
        platform=Platform.SLACK,
        platform_user_id=user_id,
        chat_id=user_id,
        workspace_id=team_id,
        display_name=name,
    )


async def coach_for(
    session: AsyncSession, team_id: str, user_id: str, name: str | None = None
) -> User:
    """The person behind this Slack user, created as a coach on first contact."""
    user, _ = await accounts.get_or_create_person(
        session, slack_address(team_id, user_id, name), default_role=Role.COACH
    )
    await coaching.ensure_coach_profile(session, user.id)
    return user


async def find_athlete(session: AsyncSession, coach_id: int, name: str) -> User:
    """One of the coach's athletes by name: exact (any case), else a unique prefix."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        raise NotFound("Which athlete? Give a name from your roster.")
    athletes = await coaching.roster(session, coach_id)
    exact = [a for a in athletes if a.name.casefold() == wanted]
    if exact:
        return exact[0]
    partial = [a for a in athletes if a.name.casefold().startswith(wanted)]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        names = ", ".join(a.name for a in partial)
        raise NotFound(f"“{name}” matches several athletes ({names}); be more precise.")
    raise NotFound(f"You coach no athlete called “{name}”. `/trainlytics roster` lists them.")


async def split_athlete_prefix(session: AsyncSession, coach_id: int, text: str) -> tuple[User, str]:
    """ "Alex Martin great job" → (Alex Martin, "great job"): the longest roster name first."""
    words = text.split()
    for cut in range(len(words), 0, -1):
        try:
            athlete = await find_athlete(session, coach_id, " ".join(words[:cut]))
        except NotFound:
            continue
        return athlete, " ".join(words[cut:])
    raise NotFound(
        f"No athlete of yours is named at the start of “{text}”. `/trainlytics roster` lists them."
    )
