"""Calendar links: only a live token opens a calendar; every wrong one looks like no page."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from core.calendar import links as calendar_service
from core.db.models import CalendarToken

from .seed import SECRET, seed

VOLATILE = {"x-request-id", "date", "content-length"}


def _comparable(response) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    return response.status_code, response.content, headers


async def test_token_has_256_random_bits_and_only_its_hash_is_stored(db, clock) -> None:
    seeded = await seed(db, clock)
    assert len(seeded.athlete_token) >= 43  # 32 bytes, URL-safe base64
    async with db.unit_of_work() as s:
        stored = list(await s.scalars(select(CalendarToken.token_hash)))
    assert calendar_service.hash_token(seeded.athlete_token) in stored
    assert all(seeded.athlete_token not in h for h in stored)


async def test_random_and_revoked_tokens_get_the_missing_page_answer(db, clock, client) -> None:
    seeded = await seed(db, clock)
    async with db.unit_of_work() as s:
        old = seeded.athlete_token
        new = await calendar_service.issue_token(s, clock, seeded.athlete.id, secret=SECRET)

    missing_page = await client.get("/calendar/some/page/that/does/not/exist")
    assert missing_page.status_code == 404
    for wrong in (
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(32),
        old,  # replaced by a new link
        "x",
        "a" * 500,
    ):
        for path in (f"/calendar/{wrong}", f"/calendar/{wrong}.ics"):
            response = await client.get(path)
            assert _comparable(response) == _comparable(missing_page), path

    assert (await client.get(f"/calendar/{new}")).status_code == 200
    assert (await client.get(f"/calendar/{new}.ics")).status_code == 200


async def test_revoking_switches_every_link_off(db, clock, client) -> None:
    seeded = await seed(db, clock)
    async with db.unit_of_work() as s:
        assert await calendar_service.revoke_tokens(s, clock, seeded.athlete.id) == 1
        assert not await calendar_service.has_active_token(s, seeded.athlete.id)
    assert (await client.get(f"/calendar/{seeded.athlete_token}")).status_code == 404
    assert (await client.get(f"/calendar/{seeded.athlete_token}.ics")).status_code == 404
    # The coach's own link is untouched.
    assert (await client.get(f"/calendar/{seeded.coach_token}")).status_code == 200


async def test_resolving_a_token_records_its_use(db, clock) -> None:
    seeded = await seed(db, clock)
    async with db.unit_of_work() as s:
        owner = await calendar_service.resolve_token(s, clock, seeded.athlete_token)
        assert owner is not None and owner.id == seeded.athlete.id
    async with db.unit_of_work() as s:
        row = await s.scalar(
            select(CalendarToken).where(
                CalendarToken.token_hash == calendar_service.hash_token(seeded.athlete_token)
            )
        )
        assert row is not None and row.last_used_at == clock.now()


def test_links_are_built_from_the_public_url() -> None:
    assert (
        calendar_service.calendar_url("https://t.example/", "abc")
        == "https://t.example/calendar/abc"
    )
    assert calendar_service.feed_url("https://t.example", "abc") == (
        "https://t.example/calendar/abc.ics"
    )
