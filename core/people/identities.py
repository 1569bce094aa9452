"""People and their chat identities."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.engine import small_read
from core.db.models import ChatIdentity, LinkCode, User
from core.enums import Platform, Role, Units
from core.errors import InvalidInput, NotFound
from core.timeutil import validate_timezone

LINK_CODE_TTL = timedelta(minutes=15)
SUPPORTED_LOCALES = ("en", "fr")


@dataclass(frozen=True)
class ChatAddress:
    """Who is talking to us, as a chat platform names them."""

    platform: Platform
    platform_user_id: str
    chat_id: str | None = None
    workspace_id: str = ""
    display_name: str | None = None
    language_code: str | None = None


async def get_identity(session: AsyncSession, address: ChatAddress) -> ChatIdentity | None:
    return await session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.platform == address.platform,
            ChatIdentity.workspace_id == address.workspace_id,
            ChatIdentity.platform_user_id == address.platform_user_id,
        )
    )


async def get_or_create_person(
    session: AsyncSession, address: ChatAddress, *, default_role: Role = Role.ATHLETE
) -> tuple[User, bool]:
    """The person behind a chat identity, created on first contact. Returns (user, created)."""
    # One query for the identity and its person: this runs on every chat update.
    found = (
        await session.execute(
            _PERSON_BY_ADDRESS,
            {
                "platform": address.platform,
                "workspace_id": address.workspace_id,
                "platform_user_id": address.platform_user_id,
            },
        )
    ).first()
    if found is not None:
        identity, user = found
        if address.chat_id and identity.chat_id != address.chat_id:
            identity.chat_id = address.chat_id
        if not identity.active:
            identity.active = True
        return user, False
    user = User(
        name=(address.display_name or "Athlete")[:120],
        role=default_role,
        locale=_locale_from(address.language_code),
    )
    session.add(user)
    await session.flush()
    session.add(new_identity(user.id, address))
    await session.flush()
    return user, True


def new_identity(user_id: int, address: ChatAddress) -> ChatIdentity:
    """The chat identity at `address`, belonging to person `user_id` (not yet added)."""
    return ChatIdentity(
        user_id=user_id,
        platform=address.platform,
        workspace_id=address.workspace_id,
        platform_user_id=address.platform_user_id,
        chat_id=address.chat_id,
        display_name=address.display_name,
    )


# Built once (it runs on every chat update): building a statement and its cache key costs
# more Python than SQLAlchemy's compiled-SQL cache saves.
_PERSON_BY_ADDRESS = small_read(
    select(ChatIdentity, User)
    .join(User, User.id == ChatIdentity.user_id)
    .where(
        ChatIdentity.platform == bindparam("platform"),
        ChatIdentity.workspace_id == bindparam("workspace_id"),
        ChatIdentity.platform_user_id == bindparam("platform_user_id"),
    )
)


def _locale_from(language_code: str | None) -> str:
    lang = (language_code or "en").split("-")[0].lower()
    return lang if lang in SUPPORTED_LOCALES else "en"


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("refuse_person_does_not_exist")
    return user


async def set_role(session: AsyncSession, user_id: int, role: Role | str) -> User:
    user = await get_user(session, user_id)
    try:
        user.role = Role(role)
    except ValueError as exc:
        raise InvalidInput("refuse_role_must_be", roles=", ".join(Role)) from exc
    return user


async def set_timezone(session: AsyncSession, user_id: int, tz: str) -> User:
    user = await get_user(session, user_id)
    user.timezone = validate_timezone(tz)
    return user


async def set_units(session: AsyncSession, user_id: int, units: Units | str) -> User:
    user = await get_user(session, user_id)
    try:
        user.units = Units(units)
    except ValueError as exc:
        raise InvalidInput("refuse_units_must_be_metric_or_imperial") from exc
    return user


async def set_locale(session: AsyncSession, user_id: int, locale: str) -> User:
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput("refuse_language_must_be", languages=", ".join(SUPPORTED_LOCALES))
    user = await get_user(session, user_id)
    user.locale = locale
    return user


async def identities_of(session: AsyncSession, user_id: int) -> list[ChatIdentity]:
    rows = await session.scalars(
        select(ChatIdentity)
        .where(ChatIdentity.user_id == user_id, ChatIdentity.active.is_(True))
        .order_by(ChatIdentity.id)
    )
    return list(rows)


# Link codes: 10 symbols from an alphabet without look-alikes (no 0/O, 1/I/L, U/V), about
# 49 bits; with 15 minutes of life and 5 wrong tries per identity per 15 minutes
# (`core.people.linking`), guessing one is hopeless.
LINK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LINK_CODE_LENGTH = 10


def link_code_hash(code: str) -> str:
    """What is stored of a code (never the code): spaces, dashes and case do not matter."""
    cleaned = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(cleaned.encode()).hexdigest()


async def create_link_code(session: AsyncSession, clock: Clock, user_id: int) -> str:
    """A one-time code the person types on another platform to join both identities
    (`core.people.linking.redeem_link_code`)."""
    await get_user(session, user_id)
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    session.add(
        LinkCode(
            user_id=user_id, code_hash=link_code_hash(code), expires_at=clock.now() + LINK_CODE_TTL
        )
    )
    await session.flush()
    return code
