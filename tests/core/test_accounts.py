from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db.models import ChatIdentity, User
from core.enums import Platform, Role, Units
from core.errors import InvalidInput, InvalidTimezone
from core.people import identities as accounts
from core.people import linking
from tests.factories import person

TG = accounts.ChatAddress(
    Platform.TELEGRAM, "1001", chat_id="1001", display_name="Ana", language_code="fr-FR"
)


async def test_first_contact_creates_a_person_and_the_second_finds_them(db):
    async with db.unit_of_work() as s:
        user, created = await accounts.get_or_create_person(s, TG)
        assert created and user.name == "Ana" and user.locale == "fr"
    async with db.unit_of_work() as s:
        again, created = await accounts.get_or_create_person(s, TG)
        assert not created and again.id == user.id
        assert await s.scalar(select(func.count()).select_from(User)) == 1


async def test_timezone_accepts_iana_names_and_city_names(db):
    async with db.unit_of_work() as s:
        user = await person(s, "Ana")
        await accounts.set_timezone(s, user.id, "America/New_York")
        assert user.timezone == "America/New_York"
        await accounts.set_timezone(s, user.id, "tokyo")
        assert user.timezone == "Asia/Tokyo"


async def test_an_invalid_timezone_is_refused_and_nothing_changes(db):
    async with db.unit_of_work() as s:
        user_id = (await person(s, "Ana", tz="Europe/Paris")).id
    with pytest.raises(InvalidTimezone, match="not a timezone"):
        async with db.unit_of_work() as s:
            await accounts.set_timezone(s, user_id, "Mars/Olympus_Mons")
    async with db.unit_of_work() as s:
        assert (await s.get(User, user_id)).timezone == "Europe/Paris"


async def test_role_units_and_locale_are_validated(db):
    async with db.unit_of_work() as s:
        user = await person(s, "Ana")
        await accounts.set_role(s, user.id, Role.BOTH)
        await accounts.set_units(s, user.id, Units.IMPERIAL)
        await accounts.set_locale(s, user.id, "fr")
        assert (user.role, user.units, user.locale) == ("both", "imperial", "fr")
        with pytest.raises(InvalidInput):
            await accounts.set_units(s, user.id, "furlongs")
        with pytest.raises(InvalidInput):
            await accounts.set_locale(s, user.id, "xx")


async def test_a_link_code_joins_a_second_identity_once(db, clock):
    async with db.unit_of_work() as s:
        user, _ = await accounts.get_or_create_person(s, TG)
        code = await accounts.create_link_code(s, clock, user.id)
    slack = accounts.ChatAddress(Platform.SLACK, "U42", workspace_id="T1", chat_id="D42")
    async with db.unit_of_work() as s:
        linked = await linking.redeem_link_code(s, clock, slack, code.lower())
        assert linked.person is not None and linked.person.id == user.id
        assert {i.platform for i in await accounts.identities_of(s, user.id)} == {
            "telegram",
            "slack",
        }
    other = accounts.ChatAddress(Platform.SLACK, "U43", workspace_id="T1")
    async with db.unit_of_work() as s:
        refused = await linking.redeem_link_code(s, clock, other, code)
        assert refused.refusal == linking.Refusal.UNKNOWN
    async with db.unit_of_work() as s:
        assert await s.scalar(select(func.count()).select_from(ChatIdentity)) == 2


async def test_an_expired_link_code_is_refused(db, clock):
    async with db.unit_of_work() as s:
        user, _ = await accounts.get_or_create_person(s, TG)
        code = await accounts.create_link_code(s, clock, user.id)
    clock.advance(timedelta(minutes=16))
    async with db.unit_of_work() as s:
        slack = accounts.ChatAddress(Platform.SLACK, "U9")
        assert (await linking.redeem_link_code(s, clock, slack, code)).refusal == "unknown"
