from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.coaching import relationships as coaching
from core.db.models import CoachingRelationship, Notification
from core.enums import Permission
from core.errors import Conflict, InvitationError, PermissionDenied
from tests.factories import coached, person


async def test_an_athlete_joins_with_a_code_and_the_coach_is_notified(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        invitation = await coaching.create_invitation(s, clock, coach.id)
        assert len(invitation.code) == 8
        rel = await coaching.accept_invitation(s, clock, athlete.id, invitation.code.lower())
        assert rel.status == "active" and rel.permissions[Permission.COMMENT] is True
        assert [a.id for a in await coaching.roster(s, coach.id)] == [athlete.id]
        note = await s.scalar(select(Notification).where(Notification.recipient_id == coach.id))
        assert note.kind == "relationship"


async def test_a_used_code_is_refused_and_nothing_changes(db, clock):
    async with db.unit_of_work() as s:
        coach, a, b = await person(s, "Coach"), await person(s, "A"), await person(s, "B")
        code = (await coaching.create_invitation(s, clock, coach.id)).code
        await coaching.accept_invitation(s, clock, a.id, code)
        b_id = b.id
    with pytest.raises(InvitationError, match="already been used"):
        async with db.unit_of_work() as s:
            await coaching.accept_invitation(s, clock, b_id, code)
    async with db.unit_of_work() as s:
        assert await s.scalar(select(func.count()).select_from(CoachingRelationship)) == 1


async def test_an_expired_or_unknown_code_is_refused(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        code = (await coaching.create_invitation(s, clock, coach.id)).code
        clock.advance(timedelta(days=8))
        with pytest.raises(InvitationError, match="expired"):
            await coaching.accept_invitation(s, clock, athlete.id, code)
        with pytest.raises(InvitationError, match="does not exist"):
            await coaching.accept_invitation(s, clock, athlete.id, "NOPE1234")


async def test_a_declined_code_cannot_be_accepted(db, clock):
    async with db.unit_of_work() as s:
        coach, athlete = await person(s, "Coach"), await person(s, "Ana")
        code = (await coaching.create_invitation(s, clock, coach.id)).code
        await coaching.decline_invitation(s, clock, code)
        with pytest.raises(InvitationError):
            await coaching.accept_invitation(s, clock, athlete.id, code)


async def test_max_athletes_is_enforced(db, clock):
    async with db.unit_of_work() as s:
        coach, a, b = await person(s, "Coach"), await person(s, "A"), await person(s, "B")
        await coaching.ensure_coach_profile(s, coach.id, max_athletes=1)
        await coached(s, clock, coach, a)
        code = (await coaching.create_invitation(s, clock, coach.id)).code
        with pytest.raises(Conflict, match="no room"):
            await coaching.accept_invitation(s, clock, b.id, code)


async def test_joining_a_new_coach_ends_the_previous_relationship(db, clock):
    async with db.unit_of_work() as s:
        c1, c2, athlete = await person(s, "C1"), await person(s, "C2"), await person(s, "Ana")
        first = await coached(s, clock, c1, athlete)
        await coached(s, clock, c2, athlete)
        assert first.status == "ended"
        current = await coaching.active_relationship_of_athlete(s, athlete.id)
        assert current is not None and current.coach_id == c2.id


async def test_permission_check_covers_strangers_ended_and_withheld_permissions(db, clock):
    async with db.unit_of_work() as s:
        coach, stranger, athlete = (
            await person(s, "Coach"),
            await person(s, "X"),
            await person(s, "Ana"),
        )
        rel = await coached(s, clock, coach, athlete, plan_workouts=False)
        await coaching.require_permission(s, athlete.id, athlete.id, Permission.PLAN_WORKOUTS)
        await coaching.require_permission(s, coach.id, athlete.id, Permission.VIEW_ACTIVITIES)
        with pytest.raises(PermissionDenied, match="not allowed"):
            await coaching.require_permission(s, coach.id, athlete.id, Permission.PLAN_WORKOUTS)
        with pytest.raises(PermissionDenied, match="not allowed"):
            await coaching.require_permission(s, coach.id, athlete.id, Permission.EDIT_THRESHOLDS)
        with pytest.raises(PermissionDenied, match="not this athlete's coach"):
            await coaching.require_permission(
                s, stranger.id, athlete.id, Permission.VIEW_ACTIVITIES
            )
        await coaching.set_permissions(s, athlete.id, rel.id, {"plan_workouts": True})
        await coaching.require_permission(s, coach.id, athlete.id, Permission.PLAN_WORKOUTS)
        await coaching.end_relationship(s, clock, athlete.id, rel.id)
        with pytest.raises(PermissionDenied):
            await coaching.require_permission(s, coach.id, athlete.id, Permission.VIEW_ACTIVITIES)
