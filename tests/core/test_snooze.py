"""A coach snoozes an athlete: gone from the next digest, back once the snooze is over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import schedules
from core.coaching import relationships as coaching
from core.errors import InvalidInput, PermissionDenied
from tests.factories import coached, person


def names_in(digest) -> list[str]:
    return [entry["name"] for entry in digest.payload["athletes"]] if digest else []


async def test_a_snoozed_athlete_is_left_out_of_tomorrows_digest_and_back_after(db, clock):
    async with db.unit_of_work() as s:
        coach = await person(s, "Kim")
        alex, sam = await person(s, "Alex"), await person(s, "Sam")
        await coached(s, clock, coach, alex)
        await coached(s, clock, coach, sam)
        coach_id, alex_id = coach.id, alex.id
        # Neither has ever synced: both need attention every day.
        assert names_in(await schedules.write_coach_digest(s, clock, coach_id)) == ["Alex", "Sam"]
        until = await coaching.snooze_athlete(s, clock, coach_id, alex_id)
    assert until == clock.now().date() + timedelta(days=1)

    clock.advance(timedelta(days=1))
    async with db.unit_of_work() as s:
        assert names_in(await schedules.write_coach_digest(s, clock, coach_id)) == ["Sam"]

    clock.advance(timedelta(days=1))
    async with db.unit_of_work() as s:
        assert names_in(await schedules.write_coach_digest(s, clock, coach_id)) == ["Alex", "Sam"]


async def test_only_the_athletes_coach_may_snooze_and_for_a_sensible_time(db, clock):
    async with db.unit_of_work() as s:
        coach, other = await person(s, "Kim"), await person(s, "Lee")
        athlete = await person(s, "Alex")
        await coached(s, clock, coach, athlete)
        with pytest.raises(PermissionDenied):
            await coaching.snooze_athlete(s, clock, other.id, athlete.id)
        for days in (0, 31, True):
            with pytest.raises(InvalidInput):
                await coaching.snooze_athlete(s, clock, coach.id, athlete.id, days=days)
        until = await coaching.snooze_athlete(s, clock, coach.id, athlete.id, days=7)
    assert until == clock.now().date() + timedelta(days=7)
