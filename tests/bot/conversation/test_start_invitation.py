"""/start CODE: a coach's invitation link (t.me/<bot>?start=CODE) joins that coach."""

from __future__ import annotations

from sqlalchemy import select

from core.coaching import relationships as coaching
from core.db.models import CoachingRelationship, User
from tests.bot.conversation.test_conversations import Chat, conversation, onboard

__all__ = ["conversation"]  # the fixture, shared with the other conversation tests


async def invitation_from_claire(db, clock) -> str:
    async with db.unit_of_work() as session:
        claire = User(name="Coach Claire", role="coach")
        session.add(claire)
        await session.flush()
        return (await coaching.create_invitation(session, clock, claire.id)).code


async def coach_of(db, name: str) -> str | None:
    async with db.unit_of_work() as session:
        athlete = await session.scalar(select(User).where(User.name == name))
        relationship = await coaching.active_relationship_of_athlete(session, athlete.id)
        if relationship is None:
            return None
        return (await session.get_one(User, relationship.coach_id)).name


async def test_a_new_person_joins_the_coach_then_is_set_up(conversation, db, clock):
    code = await invitation_from_claire(db, clock)
    ana = Chat(conversation, "Ana")
    await ana.send(f"/start {code}")
    assert "coached by Coach Claire" in ana.text
    assert ana.last[-1].buttons  # the set-up questions follow
    assert await coach_of(db, "Ana") == "Coach Claire"


async def test_someone_already_set_up_just_joins(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await onboard(ana)
    code = await invitation_from_claire(db, clock)
    await ana.send(f"/start {code.lower()}")
    assert "coached by Coach Claire" in ana.text
    assert "Welcome" not in ana.text and not ana.last[-1].buttons
    assert await coach_of(db, "Ana") == "Coach Claire"


async def test_a_bad_or_used_code_is_explained_and_joins_no_one(conversation, db, clock):
    ana = Chat(conversation, "Ana")
    await ana.send("/start NOPE2345")
    assert "invitation code does not exist" in ana.text
    assert ana.last[-1].buttons  # a new person is still set up
    code = await invitation_from_claire(db, clock)
    ben = Chat(conversation, "Ben")
    await ben.send(f"/start {code}")
    await ana.send(f"/start {code}")
    assert "already been used" in ana.text
    assert await coach_of(db, "Ana") is None
    async with db.unit_of_work() as session:
        assert len(list(await session.scalars(select(CoachingRelationship)))) == 1
