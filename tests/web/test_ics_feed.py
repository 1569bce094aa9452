"""The ICS feed as a calendar client reads it: parseable, stable UIDs, right local days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar, Component, Timezone

from core.activities import entries as activities
from core.calendar import links as calendar_service
from core.planning import workouts as planning
from tests.factories import person

from .seed import SECRET, seed


def _events(body: bytes) -> dict[str, Component]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_feed_parses_and_carries_workouts_with_steps_and_activities(
    db, clock, client
) -> None:
    seeded = await seed(db, clock)
    response = await client.get(f"/calendar/{seeded.athlete_token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    events = _events(response.content)

    intervals = events[f"workout-{seeded.intervals.id}@trainlytics"]
    assert intervals.decoded("DTSTART") == date(2026, 3, 9)  # all-day, on the planned day
    assert intervals.decoded("DTEND") == date(2026, 3, 10)
    assert str(intervals["SUMMARY"]) == "✓ 4x5 threshold"
    description = str(intervals["DESCRIPTION"])
    assert "4 × (5 min interval @ 105–110% power, 3 min recovery)" in description
    assert "Done: 94 % of plan" in description

    ride = next(e for uid, e in events.items() if uid.startswith("activity-"))
    start = ride.decoded("DTSTART")
    assert start.tzinfo is not None and str(ride["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert start.astimezone(UTC) == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert "32.4 km" in str(ride["DESCRIPTION"])
    for event in events.values():
        for required in ("UID", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "SUMMARY"):
            assert required in event


async def test_uids_round_trip_and_a_moved_workout_replaces_its_event(db, clock, client) -> None:
    seeded = await seed(db, clock)
    first = await client.get(f"/calendar/{seeded.athlete_token}.ics")
    again = await client.get(f"/calendar/{seeded.athlete_token}.ics")
    assert first.content == again.content  # nothing changed: byte-identical feed

    reparsed = Calendar.from_ical(Calendar.from_ical(first.content).to_ical())
    assert {str(e["UID"]) for e in reparsed.walk("VEVENT")} == set(_events(first.content))

    async with db.unit_of_work() as s:
        await planning.move_workout(
            s, clock, seeded.coach.id, seeded.long_ride.id, date(2026, 3, 15)
        )
    moved = _events((await client.get(f"/calendar/{seeded.athlete_token}.ics")).content)
    before = _events(first.content)
    assert set(moved) == set(before)  # same events, none duplicated
    uid = f"workout-{seeded.long_ride.id}@trainlytics"
    assert moved[uid].decoded("DTSTART") == date(2026, 3, 15)
    assert moved[uid].decoded("SEQUENCE") >= before[uid].decoded("SEQUENCE")
    assert moved[uid].decoded("LAST-MODIFIED") >= before[uid].decoded("LAST-MODIFIED")


async def test_events_land_on_the_local_day_across_dst(db, clock, client) -> None:
    """Paris springs forward on 29 March 2026 and falls back on 25 October 2026."""
    clock.set(datetime(2026, 10, 27, 12, 0, tzinfo=UTC))
    sessions = {
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC): date(2026, 3, 28),  # 23:30 CET
        datetime(2026, 3, 29, 22, 30, tzinfo=UTC): date(2026, 3, 30),  # 00:30 CEST
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC): date(2026, 10, 25),  # 00:30 CEST
        datetime(2026, 10, 25, 23, 15, tzinfo=UTC): date(2026, 10, 26),  # 00:15 CET
    }
    async with db.unit_of_work() as s:
        athlete = await person(s, "Pia", tz="Europe/Paris")
        for start in sessions:
            await activities.create_manual_activity(
                s, clock, athlete.id, athlete.id, sport="run", start=start, duration_s=1800
            )
        await planning.create_workout(
            s, clock, athlete.id, athlete.id, date(2026, 10, 25),
            planning.WorkoutSpec(sport="run", title="Long run", planned_duration_s=5400),
        )  # fmt: skip
        token = await calendar_service.issue_token(s, clock, athlete.id, secret=SECRET)

    clock.set(datetime(2026, 6, 1, tzinfo=UTC))  # both changes inside the feed's window
    body = (await client.get(f"/calendar/{token}.ics")).content
    calendar = Calendar.from_ical(body)
    # Rebuild the zone from the feed's own VTIMEZONE, as a client without IANA data would.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert isinstance(vtimezone, Timezone)
    feed_zone = vtimezone.to_tz(lookup_tzid=False)
    timed = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("activity-")]
    assert len(timed) == 4
    for event in timed:
        wall_clock = event.decoded("DTSTART").replace(tzinfo=None)
        instant = wall_clock.replace(tzinfo=feed_zone).astimezone(UTC)
        assert instant in sessions, instant
        assert wall_clock.date() == sessions[instant]
    (planned,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("workout-")]
    assert planned.decoded("DTSTART") == date(2026, 10, 25)


async def test_coach_feed_follows_the_chosen_athlete(db, clock, client) -> None:
    seeded = await seed(db, clock)
    response = await client.get(f"/calendar/{seeded.coach_token}.ics?athlete={seeded.athlete.id}")
    assert response.status_code == 200
    assert f"workout-{seeded.intervals.id}@trainlytics" in _events(response.content)
    stranger = await client.get(f"/calendar/{seeded.coach_token}.ics?athlete=999999")
    assert stranger.status_code == 404
