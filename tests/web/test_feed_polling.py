"""The feed as calendar apps poll it: 304 when nothing changed, gzip, HEAD."""

from __future__ import annotations

import gzip
from datetime import date, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from core.calendar import links as calendar_service
from core.planning import workouts as planning
from tests.factories import person

from .seed import SECRET, seed


async def _season_token(db, clock) -> str:
    """A season's plan: a workout a day over the feed's whole window."""
    async with db.unit_of_work() as s:
        athlete = await person(s, "Sam")
        today = await planning.local_today(s, clock, athlete.id)
        first = today - timedelta(days=calendar_service.FEED_DAYS_BACK)
        for offset in range(calendar_service.FEED_DAYS_BACK + calendar_service.FEED_DAYS_AHEAD):
            await planning.create_workout(
                s, clock, athlete.id, athlete.id, first + timedelta(days=offset),
                planning.WorkoutSpec(sport="run", title="Easy run", planned_duration_s=2700),
            )  # fmt: skip
        return await calendar_service.issue_token(s, clock, athlete.id, secret=SECRET)


async def test_an_unchanged_feed_answers_304_to_its_etag_until_a_workout_moves(
    db, clock, client
) -> None:
    seeded = await seed(db, clock)
    url = f"/calendar/{seeded.athlete_token}.ics"
    first = await client.get(url)
    etag = first.headers["etag"]

    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    async with db.unit_of_work() as s:
        await planning.move_workout(
            s, clock, seeded.coach.id, seeded.long_ride.id, date(2026, 3, 15)
        )
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert b"BEGIN:VCALENDAR" in changed.content


async def test_if_modified_since_answers_304_only_when_nothing_is_newer(db, clock, client) -> None:
    seeded = await seed(db, clock)
    url = f"/calendar/{seeded.athlete_token}.ics"
    last_modified = (await client.get(url)).headers["last-modified"]

    same = await client.get(url, headers={"If-Modified-Since": last_modified})
    assert same.status_code == 304
    earlier = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
    older = await client.get(url, headers={"If-Modified-Since": format_datetime(earlier, True)})
    assert older.status_code == 200
    garbled = await client.get(url, headers={"If-Modified-Since": "yesterday-ish"})
    assert garbled.status_code == 200
    # If-None-Match decides when both are sent (RFC 9110): a stale tag means a full answer.
    both = await client.get(
        url, headers={"If-Modified-Since": last_modified, "If-None-Match": 'W/"stale"'}
    )
    assert both.status_code == 200


async def test_a_season_feed_travels_gzipped_to_a_client_that_accepts_it(db, clock, client) -> None:
    token = await _season_token(db, clock)
    url = f"/calendar/{token}.ics"
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert zipped.content == plain.content  # httpx decoded it: the same feed
    wire = zipped.num_bytes_downloaded
    print(f"season feed: {len(plain.content)} bytes, {wire} gzipped")
    assert wire * 5 < len(plain.content)
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


async def test_head_answers_on_health_ready_the_page_and_the_feed(db, clock, client) -> None:
    seeded = await seed(db, clock)
    for url in (
        "/health",
        "/ready",
        f"/calendar/{seeded.athlete_token}",
        f"/calendar/{seeded.athlete_token}.ics",
    ):
        response = await client.head(url)
        assert response.status_code == 200, url
    assert (await client.head("/calendar/not-a-token.ics")).status_code == 404
