"""Who is talking: a Slack user becomes a Trainlytics coach on first use.

Which athlete a typed name means is core's rule (`core.coaching.coach_view`), and the
conversation's handlers say where the names are when one does not match.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncSession

from core.coaching import relationships as coaching
from core.db.models import User
from core.enums import Platform, Role, Units
from core.errors import InvalidInput
from core.people import identities as accounts
from core.people.identities import SUPPORTED_LOCALES, ChatAddress

log = logging.getLogger(__name__)


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
    session: AsyncSession,
    team_id: str,
    user_id: str,
    name: str | None = None,
    *,
    client: Any = None,
) -> User:
    """The person behind this Slack user, created as a coach on first contact.

    With `client` (the workspace's Web API client), a new coach takes their timezone,
    language and units from their Slack profile (`adopt_slack_profile`), so their digest
    comes at their evening and speaks their language.
    """
    user, created = await accounts.get_or_create_person(
        session, slack_address(team_id, user_id, name), default_role=Role.COACH
    )
    await coaching.ensure_coach_profile(session, user.id)
    if created and client is not None:
        await adopt_slack_profile(session, user, client, user_id)
    return user


# Countries whose people read miles and pounds (Slack locales are language-COUNTRY).
IMPERIAL_COUNTRIES = frozenset({"US", "LR", "MM"})


async def adopt_slack_profile(session: AsyncSession, user: User, client: Any, user_id: str) -> None:
    """`users.info` (with `include_locale`): its IANA `tz`, and its `locale` ("fr-FR") for
    the language and the units. Anything Slack does not give, or we do not support,
    keeps the defaults (UTC, English, metric); a failing call is logged, never fatal."""
    try:
        answer = await client.users_info(user=user_id, include_locale=True)
    except (SlackApiError, OSError) as exc:
        log.warning("users.info for %s failed, defaults kept: %s", user_id, exc)
        return
    profile = answer.get("user") or {}
    try:
        await accounts.set_timezone(session, user.id, str(profile.get("tz") or "UTC"))
    except InvalidInput:
        log.info("Slack timezone %r of %s is not an IANA name", profile.get("tz"), user_id)
    language, _, country = str(profile.get("locale") or "").partition("-")
    if language.lower() in SUPPORTED_LOCALES:
        await accounts.set_locale(session, user.id, language.lower())
    if country.upper() in IMPERIAL_COUNTRIES:
        await accounts.set_units(session, user.id, Units.IMPERIAL)
