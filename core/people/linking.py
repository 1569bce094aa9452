"""One person on two chat platforms: redeeming a link code made on the other one.

A coach made in Slack who also trains on Telegram, or an athlete on Telegram who starts
coaching in Slack, types there the code made here (`core.people.identities.create_link_code`).
The identity that typed it joins the person who made it, and both platforms reach the
same person from then on.

Nothing is lost on the way. Each side may already be a person of its own (chat creates
one at first contact). The one kept is the code's maker, unless only the other has a
history (sessions, plans, coaching, comments...): then that one is kept and the maker's
identities move to it. When both have a history, linking is refused and nothing changes.
The person left behind has no identity and no history; their thresholds, coach profile,
role and first-contact settings are carried over where the kept person has none.

Guessing is bounded: each wrong code is recorded (`LinkAttempt`, committed with the
refusal, which is why refusals are returned instead of raised) and an identity with
`MAX_WRONG_CODES` wrong codes within `WRONG_CODE_WINDOW` is refused without the code
being looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import exists, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.coaching import relationships as coaching
from core.db.models import (
    AthleteThreshold,
    Base,
    ChatIdentity,
    CoachProfile,
    LinkAttempt,
    LinkCode,
    User,
)
from core.enums import Role
from core.people.identities import ChatAddress, get_identity, get_user, link_code_hash, new_identity

MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)

# Rows that come with being a person at all (first contact, settings, delivery), not a
# history the person would miss: they never block a link.
_NOT_HISTORY = frozenset(
    {
        "chat_identities",
        "link_codes",
        "link_attempts",
        "notifications",
        "notification_preferences",
        "person_schedules",
        "message_refs",
        "oauth_states",
        "calendar_tokens",
        "coach_profiles",
        "athlete_thresholds",  # carried over to the kept person
    }
)


class Refusal(StrEnum):
    UNKNOWN = "unknown"  # no such code, used, or expired
    TOO_MANY = "too_many"  # too many wrong codes lately
    BOTH_HAVE_HISTORY = "both_have_history"


@dataclass(frozen=True)
class LinkOutcome:
    person: User | None = None  # the one person both identities now reach
    refusal: Refusal | None = None
    retry_after: timedelta | None = None  # with TOO_MANY: when a new try is counted again

    @property
    def linked(self) -> bool:
        return self.person is not None


async def redeem_link_code(
    session: AsyncSession, clock: Clock, address: ChatAddress, code: str
) -> LinkOutcome:
    """Join the identity at `address` and the person who made `code` (see module doc).

    The caller commits the outcome either way: a refusal records the wrong try.
    """
    wait = await _wait_before_trying(session, clock, address)
    if wait is not None:
        return LinkOutcome(refusal=Refusal.TOO_MANY, retry_after=wait)
    link = await session.scalar(select(LinkCode).where(LinkCode.code_hash == link_code_hash(code)))
    if link is None or link.used_at is not None or link.expires_at <= clock.now():
        session.add(
            LinkAttempt(
                platform=str(address.platform),
                workspace_id=address.workspace_id,
                platform_user_id=address.platform_user_id,
                created_at=clock.now(),
            )
        )
        await session.flush()
        return LinkOutcome(refusal=Refusal.UNKNOWN)
    identity = await get_identity(session, address)
    maker = await get_user(session, link.user_id)
    if identity is None:
        session.add(new_identity(maker.id, address))
    elif identity.user_id != maker.id:
        other = await get_user(session, identity.user_id)
        maker_history, other_history = (
            await has_history(session, maker.id),
            await has_history(session, other.id),
        )
        if maker_history and other_history:
            return LinkOutcome(refusal=Refusal.BOTH_HAVE_HISTORY)
        keep, drop = (other, maker) if other_history else (maker, other)
        await _merge(session, keep, drop)
        maker = keep
    link.used_at = clock.now()
    await session.flush()
    return LinkOutcome(person=maker)


async def _wait_before_trying(
    session: AsyncSession, clock: Clock, address: ChatAddress
) -> timedelta | None:
    since = clock.now() - WRONG_CODE_WINDOW
    recent = await session.execute(
        select(func.count(), func.min(LinkAttempt.created_at)).where(
            LinkAttempt.platform == str(address.platform),
            LinkAttempt.workspace_id == address.workspace_id,
            LinkAttempt.platform_user_id == address.platform_user_id,
            LinkAttempt.created_at > since,
        )
    )
    count, oldest = recent.one()
    if count < MAX_WRONG_CODES:
        return None
    return oldest + WRONG_CODE_WINDOW - clock.now()


async def has_history(session: AsyncSession, user_id: int) -> bool:
    """Whether any row of a table outside `_NOT_HISTORY` refers to this person.

    Read from the schema's foreign keys, so a table added later counts without anyone
    remembering to list it here.
    """
    users = Base.metadata.tables["users"]
    for table in Base.metadata.sorted_tables:
        if table.name in _NOT_HISTORY:
            continue
        for column in table.columns:
            refers = any(fk.column.table is users for fk in column.foreign_keys)
            if refers and await session.scalar(select(exists().where(column == user_id))):
                return True
    return False


async def _merge(session: AsyncSession, keep: User, drop: User) -> None:
    """Move `drop`'s identities and setup to `keep`; `drop` has no history (checked)."""
    await session.execute(
        update(ChatIdentity).where(ChatIdentity.user_id == drop.id).values(user_id=keep.id)
    )
    taken = set(
        await session.scalars(
            select(AthleteThreshold.valid_from).where(AthleteThreshold.user_id == keep.id)
        )
    )
    await session.execute(
        update(AthleteThreshold)
        .where(
            AthleteThreshold.user_id == drop.id,
            AthleteThreshold.valid_from.not_in(taken) if taken else true(),
        )
        .values(user_id=keep.id)
    )
    if not keep.onboarded and drop.onboarded:
        keep.timezone, keep.units, keep.locale = drop.timezone, drop.units, drop.locale
        keep.onboarded = True
    coaches = {keep.role, drop.role} & {Role.COACH, Role.BOTH}
    trains = {keep.role, drop.role} & {Role.ATHLETE, Role.BOTH}
    keep.role = Role.BOTH if coaches and trains else keep.role
    if await session.get(CoachProfile, drop.id) is not None:
        await coaching.ensure_coach_profile(session, keep.id)
    await session.flush()
    session.expire(keep, ["identities"])
