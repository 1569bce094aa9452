"""Who is talking: a Slack user becomes a Trainlytics coach on first use.

Which athlete a typed name means is core's rule (`core.coach_view`); the door only adds
where a coach in Slack finds the names when one does not match.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from core import accounts, coach_view, coaching
from core.accounts import ChatAddress
from core.db.models import User
from core.enums import Platform, Role
from core.errors import InvalidInput, NotFound

ROSTER_POINTER = "See `/trainlytics roster`."


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


@contextmanager
def _pointing_to_roster() -> Iterator[None]:
    """core's refusal of a typed name, followed by the Slack command that lists the names."""
    try:
        yield
    except (NotFound, InvalidInput) as refused:
        raise type(refused)(f"{refused.message} {ROSTER_POINTER}") from refused


async def athlete_by_name(session: AsyncSession, coach_id: int, name: str) -> User:
    """`core.coach_view.find_athlete`, worded for Slack."""
    with _pointing_to_roster():
        return await coach_view.find_athlete(session, coach_id, name)


async def athlete_and_text(session: AsyncSession, coach_id: int, text: str) -> tuple[User, str]:
    """`core.coach_view.split_athlete_name`, worded for Slack."""
    with _pointing_to_roster():
        return await coach_view.split_athlete_name(session, coach_id, text)
