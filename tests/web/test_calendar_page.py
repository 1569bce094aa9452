"""The calendar page over HTTP: what an athlete and a coach see, and what they cannot."""

from __future__ import annotations

from core.coaching import relationships as coaching
from core.enums import Permission

from .seed import seed


async def test_athlete_sees_the_current_week_with_structure_and_numbers(db, clock, client) -> None:
    seeded = await seed(db, clock)
    response = await client.get(f"/calendar/{seeded.athlete_token}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "private, no-store"
    html = response.text
    assert "March 2026" in html and "Week of 9–15 March" in html
    assert "4 × (5 min interval @ 105–110% power, 3 min recovery)" in html
    assert "state-green" in html and "On target 94 %" in html
    assert "state-missed" in html  # Thursday's easy run was never done
    assert "Evening intervals" in html and "32.4 km" in html and "RPE 7" in html
    assert 'href="?month=2026-04"' in html and 'href="?month=2026-02"' in html
    # The week's fitness/form from DailyLoad (Tuesday 10th is the latest day so far).
    assert "58" in html and "-13" in html
    assert "<style" not in html and "<script" not in html and "style=" not in html


async def test_month_navigation_and_week_selection(db, clock, client) -> None:
    seeded = await seed(db, clock)
    april = await client.get(f"/calendar/{seeded.athlete_token}?month=2026-04")
    assert "April 2026" in april.text and "Technique swim" in april.text
    week = await client.get(f"/calendar/{seeded.athlete_token}?month=2026-03&week=2026-03-04")
    assert "Week of 2–8 March" in week.text and "Easy run" in week.text


async def test_a_bad_month_is_explained_not_crashed(db, clock, client) -> None:
    seeded = await seed(db, clock)
    response = await client.get(f"/calendar/{seeded.athlete_token}?month=March")
    assert response.status_code == 400
    assert "YYYY-MM" in response.text


async def test_coach_link_shows_athletes_one_at_a_time(db, clock, client) -> None:
    seeded = await seed(db, clock)
    page = await client.get(f"/calendar/{seeded.coach_token}")
    assert page.status_code == 200
    assert "<h1>Ann</h1>" in page.text and "4x5 threshold" in page.text
    # Ann's own link cannot be used to look at her coach.
    assert (
        await client.get(f"/calendar/{seeded.athlete_token}?athlete={seeded.coach.id}")
    ).status_code == 404


async def test_coach_loses_the_calendar_when_the_athlete_withdraws_permission(
    db, clock, client
) -> None:
    seeded = await seed(db, clock)
    async with db.unit_of_work() as s:
        relationship = await coaching.active_relationship(s, seeded.coach.id, seeded.athlete.id)
        assert relationship is not None
        await coaching.set_permissions(
            s, seeded.athlete.id, relationship.id, {Permission.VIEW_ACTIVITIES: False}
        )
    page = await client.get(f"/calendar/{seeded.coach_token}")
    assert page.status_code == 200
    assert "4x5 threshold" not in page.text
    assert "No athlete shares their training with you yet" in page.text
    forced = await client.get(f"/calendar/{seeded.coach_token}?athlete={seeded.athlete.id}")
    assert forced.status_code == 404


async def test_stylesheet_is_served_for_the_strict_csp(client) -> None:
    response = await client.get("/static/calendar.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ".grid" in response.text
