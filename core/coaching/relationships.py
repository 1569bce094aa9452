"""Coaches, athletes, invitations, and the one permission check every cross-user access uses."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import CoachingRelationship, CoachProfile, Invitation, User
from core.enums import DEFAULT_PERMISSIONS, Permission, RelationshipStatus, Role
from core.errors import Conflict, InvalidInput, InvitationError, NotFound, PermissionDenied
from core.timeutil import local_date

INVITATION_TTL = timedelta(days=7)
# Unambiguous alphabet: no 0/O, 1/I/L, so a code read aloud or retyped survives.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


async def ensure_coach_profile(
    session: AsyncSession,
    user_id: int,
    *,
    bio: str | None = None,
    specialties: Iterable[str] | None = None,
    max_athletes: int | None = None,
    accepting_new: bool | None = None,
) -> CoachProfile:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("refuse_person_does_not_exist")
    if user.role == Role.ATHLETE:
        user.role = Role.BOTH if await _has_coach(session, user_id) else Role.COACH
    profile = await session.get(CoachProfile, user_id)
    if profile is None:
        profile = CoachProfile(user_id=user_id, bio="", specialties=[], max_athletes=30)
        session.add(profile)
    if bio is not None:
        profile.bio = bio
    if specialties is not None:
        profile.specialties = list(specialties)
    if max_athletes is not None:
        if max_athletes < 1:
            raise InvalidInput("refuse_coach_takes_least_one_athlete")
        profile.max_athletes = max_athletes
    if accepting_new is not None:
        profile.accepting_new = accepting_new
    await session.flush()
    return profile


async def _has_coach(session: AsyncSession, athlete_id: int) -> bool:
    return (await active_relationship_of_athlete(session, athlete_id)) is not None


def _normalise_permissions(overrides: Mapping[str, bool] | None) -> dict[str, bool]:
    permissions = {str(k): v for k, v in DEFAULT_PERMISSIONS.items()}
    for key, value in (overrides or {}).items():
        if key not in {p.value for p in Permission}:
            raise InvalidInput("refuse_unknown_permission", key=key)
        permissions[key] = bool(value)
    return permissions


async def create_invitation(
    session: AsyncSession,
    clock: Clock,
    coach_id: int,
    *,
    permissions: Mapping[str, bool] | None = None,
    ttl: timedelta = INVITATION_TTL,
) -> Invitation:
    profile = await ensure_coach_profile(session, coach_id)
    if not profile.accepting_new:
        raise Conflict("refuse_you_are_not_accepting_new_athletes_change")
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    invitation = Invitation(
        coach_id=coach_id,
        code=code,
        permissions=_normalise_permissions(permissions),
        expires_at=clock.now() + ttl,
    )
    session.add(invitation)
    await session.flush()
    return invitation


async def _usable_invitation(session: AsyncSession, clock: Clock, code: str) -> Invitation:
    invitation = await session.scalar(
        select(Invitation).where(Invitation.code == code.strip().upper())
    )
    if invitation is None:
        raise InvitationError("refuse_invitation_code_does_not_exist_check_with")
    if invitation.used_at is not None or invitation.declined_at is not None:
        raise InvitationError("refuse_invitation_code_has_already_been_used_ask")
    if invitation.expires_at <= clock.now():
        raise InvitationError("refuse_invitation_code_has_expired_ask_your_coach")
    return invitation


async def accept_invitation(
    session: AsyncSession, clock: Clock, athlete_id: int, code: str
) -> CoachingRelationship:
    invitation = await _usable_invitation(session, clock, code)
    if invitation.coach_id == athlete_id:
        raise InvitationError("refuse_you_cannot_coach_yourself_with_your_own")
    existing = await active_relationship(session, invitation.coach_id, athlete_id)
    if existing is not None:
        raise Conflict("refuse_you_are_already_coached_by_coach")
    profile = await session.get_one(CoachProfile, invitation.coach_id)
    if await count_active_athletes(session, invitation.coach_id) >= profile.max_athletes:
        raise Conflict("refuse_coach_has_no_room_another_athlete_right")
    current = await active_relationship_of_athlete(session, athlete_id)
    if current is not None:
        # One coach at a time: joining a new coach ends the previous relationship.
        current.status = RelationshipStatus.ENDED
        current.ended_at = clock.now()
    invitation.used_at = clock.now()
    invitation.used_by_id = athlete_id
    relationship = CoachingRelationship(
        coach_id=invitation.coach_id,
        athlete_id=athlete_id,
        status=RelationshipStatus.ACTIVE,
        permissions=dict(invitation.permissions),
        started_at=clock.now(),
    )
    session.add(relationship)
    await session.flush()
    from core.outbox import notifications
    from core.outbox.payloads import RelationshipPayload

    await notifications.notify(
        session,
        clock,
        recipient_id=invitation.coach_id,
        payload=RelationshipPayload(event="joined", athlete_id=athlete_id),
        key=f"relationship:{relationship.id}:joined",
    )
    return relationship


async def decline_invitation(session: AsyncSession, clock: Clock, code: str) -> None:
    invitation = await _usable_invitation(session, clock, code)
    invitation.declined_at = clock.now()


async def end_relationship(
    session: AsyncSession, clock: Clock, actor_id: int, relationship_id: int
) -> CoachingRelationship:
    relationship = await session.get(CoachingRelationship, relationship_id)
    if relationship is None or actor_id not in (relationship.coach_id, relationship.athlete_id):
        raise NotFound("refuse_no_such_coaching_relationship")
    if relationship.status == RelationshipStatus.ENDED:
        return relationship
    relationship.status = RelationshipStatus.ENDED
    relationship.ended_at = clock.now()
    return relationship


async def set_permissions(
    session: AsyncSession, athlete_id: int, relationship_id: int, changes: Mapping[str, bool]
) -> CoachingRelationship:
    """Only the athlete decides what their coach may do."""
    relationship = await session.get(CoachingRelationship, relationship_id)
    if relationship is None or relationship.athlete_id != athlete_id:
        raise NotFound("refuse_no_such_coaching_relationship")
    merged = dict(relationship.permissions)
    merged.update(_normalise_permissions(changes) | {k: bool(v) for k, v in changes.items()})
    relationship.permissions = merged
    return relationship


async def active_relationship(
    session: AsyncSession, coach_id: int, athlete_id: int
) -> CoachingRelationship | None:
    return await session.scalar(
        select(CoachingRelationship).where(
            CoachingRelationship.coach_id == coach_id,
            CoachingRelationship.athlete_id == athlete_id,
            CoachingRelationship.status == RelationshipStatus.ACTIVE,
        )
    )


async def active_relationship_of_athlete(
    session: AsyncSession, athlete_id: int
) -> CoachingRelationship | None:
    return await session.scalar(
        select(CoachingRelationship)
        .where(
            CoachingRelationship.athlete_id == athlete_id,
            CoachingRelationship.status == RelationshipStatus.ACTIVE,
        )
        .order_by(CoachingRelationship.id.desc())
        .limit(1)
    )


SNOOZE_MAX_DAYS = 30


async def snooze_athlete(
    session: AsyncSession, clock: Clock, coach_id: int, athlete_id: int, days: int = 1
) -> date:
    """Leave the athlete out of the coach's digest for `days` more days; the last day.

    Counted in the coach's local days: pressed on Monday with `days=1`, Tuesday's digest
    leaves the athlete out and Wednesday's shows them again if they still need attention.
    """
    if isinstance(days, bool) or not 1 <= days <= SNOOZE_MAX_DAYS:
        raise InvalidInput("refuse_snooze_days", max=SNOOZE_MAX_DAYS)
    relationship = await active_relationship(session, coach_id, athlete_id)
    if relationship is None:
        raise PermissionDenied("refuse_you_are_not_athlete_s_coach")
    coach = await session.get_one(User, coach_id)
    relationship.snoozed_until = local_date(clock.now(), coach.timezone) + timedelta(days=days)
    await session.flush()
    return relationship.snoozed_until


async def snoozed_athletes(session: AsyncSession, coach_id: int, day: date) -> set[int]:
    """The coach's athletes left out of the digest on `day` (the coach's local date)."""
    rows = await session.scalars(
        select(CoachingRelationship.athlete_id).where(
            CoachingRelationship.coach_id == coach_id,
            CoachingRelationship.status == RelationshipStatus.ACTIVE,
            CoachingRelationship.snoozed_until >= day,
        )
    )
    return set(rows)


async def count_active_athletes(session: AsyncSession, coach_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                CoachingRelationship.coach_id == coach_id,
                CoachingRelationship.status == RelationshipStatus.ACTIVE,
            )
        )
        or 0
    )


async def roster(session: AsyncSession, coach_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(CoachingRelationship, CoachingRelationship.athlete_id == User.id)
        .where(
            CoachingRelationship.coach_id == coach_id,
            CoachingRelationship.status == RelationshipStatus.ACTIVE,
        )
        .order_by(User.name)
    )
    return list(rows)


class NotYourAthlete(PermissionDenied):
    """The actor has no active relationship with the athlete: an outsider."""


class NotShared(PermissionDenied):
    """The athlete's coach, but this athlete withholds this permission."""


# What the coach reads when the athlete withholds each permission.
NOT_SHARED: dict[Permission, str] = {
    Permission.VIEW_ACTIVITIES: "refuse_not_shared_view_activities",
    Permission.VIEW_WELLNESS: "refuse_not_shared_view_wellness",
    Permission.COMMENT: "refuse_not_shared_comment",
    Permission.PLAN_WORKOUTS: "refuse_not_shared_plan_workouts",
    Permission.EDIT_THRESHOLDS: "refuse_not_shared_edit_thresholds",
}


async def require_permission(
    session: AsyncSession,
    actor_id: int,
    athlete_id: int,
    permission: Permission,
    *,
    unknown: str | None = None,
) -> None:
    """The one gate for cross-user access: the athlete themself, or an allowed active coach.

    Raises `NotYourAthlete` for an outsider and `NotShared` for a coach the athlete did
    not allow this (the caller's unit of work rolls back). `unknown`: the caller looked a
    row up by an id someone could forge, and answers an outsider with exactly the
    `NotFound` it gives for an id that exists nowhere, so probing ids tells nothing.
    """
    if actor_id == athlete_id:
        return
    relationship = await active_relationship(session, actor_id, athlete_id)
    if relationship is None:
        if unknown is not None:
            raise NotFound(unknown)
        raise NotYourAthlete("refuse_you_are_not_athlete_s_coach")
    if not relationship.permissions.get(permission, DEFAULT_PERMISSIONS.get(permission, False)):
        raise NotShared(NOT_SHARED[permission])
