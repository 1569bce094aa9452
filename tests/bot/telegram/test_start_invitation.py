"""A coach's invitation link opens Telegram with /start CODE: the athlete joins the coach."""

from __future__ import annotations

from sqlalchemy import select

from core.coaching import relationships as coaching
from core.db.models import ChatIdentity, User

CHAT = 5152


async def test_the_invitation_link_joins_the_coach_and_starts_the_set_up(
    tg, db, clock, polling
) -> None:
    async with db.unit_of_work() as session:
        claire = User(name="Coach Claire", role="coach")
        session.add(claire)
        await session.flush()
        code = (await coaching.create_invitation(session, clock, claire.id)).code
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, f"/start {code}")  # what t.me/<bot>?start=CODE sends

    joined = await tg.wait_for(
        lambda c: c.method == "sendMessage" and "coached by Coach Claire" in c.params["text"]
    )
    assert joined.ok
    await tg.wait_for(lambda c: c.method == "sendMessage" and c.params.get("reply_markup"))
    async with db.unit_of_work() as session:
        identity = await session.scalar(
            select(ChatIdentity).where(ChatIdentity.platform_user_id == str(CHAT))
        )
        relationship = await coaching.active_relationship_of_athlete(session, identity.user_id)
        assert relationship is not None and relationship.coach_id == claire.id


async def test_a_wrong_code_in_the_link_is_explained(tg, db, clock, polling) -> None:
    tg.add_chat(CHAT, first_name="Ana")
    tg.user_sends(CHAT, "/start ZZZZ2345")
    refused = await tg.wait_for(
        lambda c: c.method == "sendMessage" and "invitation code" in c.params["text"]
    )
    assert "does not exist" in refused.params["text"]
