"""Small builders for test data, so each test states only what matters to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching import relationships as coaching
from core.db.models import CoachingRelationship, User
from core.enums import Platform
from core.people import identities as accounts


async def person(session: AsyncSession, name: str, *, tz: str = "Europe/Paris") -> User:
    user, _ = await accounts.get_or_create_person(
        session,
        accounts.ChatAddress(Platform.CONSOLE, platform_user_id=name.lower(), display_name=name),
    )
    user.timezone = tz
    await session.flush()
    return user


async def coached(
    session: AsyncSession, clock: Clock, coach: User, athlete: User, **permissions: bool
) -> CoachingRelationship:
    invitation = await coaching.create_invitation(session, clock, coach.id, permissions=permissions)
    return await coaching.accept_invitation(session, clock, athlete.id, invitation.code)
