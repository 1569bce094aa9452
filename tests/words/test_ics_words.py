"""The calendar feed speaks the athlete's language."""

from __future__ import annotations

from datetime import date

from core.calendar.ics import _workout_description
from core.db.models import User, Workout
from core.enums import WorkoutStatus


def workout() -> Workout:
    return Workout(
        sport="trail_run",
        title="Long",
        scheduled_date=date(2026, 3, 3),
        status=WorkoutStatus.COMPLETED,
        compliance_pct=92.0,
        structure=[],
    )


def test_a_french_athlete_reads_the_feed_in_french() -> None:
    text = _workout_description(workout(), User(locale="fr", units="metric"), None)
    assert text.splitlines()[0] == "Trail – faite"
    assert "Faite : 92 % du plan" in text


def test_an_english_athlete_reads_it_as_before() -> None:
    text = _workout_description(workout(), User(locale="en", units="metric"), None)
    assert text.splitlines()[0] == "Trail run – done"
    assert "Done: 92 % of plan" in text
