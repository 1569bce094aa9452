"""Quick log: plain words in English and French become a session, or a clear refusal."""

from __future__ import annotations

from datetime import date

import pytest

from core.activities.parsed import Sport
from core.activities.quick_log import QuickLog, QuickLogError, parse_quick_log

TODAY = date(2026, 3, 11)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ran 10k in 52 min yesterday rpe 6",
            QuickLog(Sport.RUN, date(2026, 3, 10), 52 * 60.0, 10_000.0, 6),
        ),
        ("swim 2000m 45min", QuickLog(Sport.SWIM, TODAY, 45 * 60.0, 2000.0)),
        ("strength 40 min", QuickLog(Sport.STRENGTH, TODAY, 40 * 60.0)),
        (
            "couru 10k en 52 min hier rpe 6",
            QuickLog(Sport.RUN, date(2026, 3, 10), 52 * 60.0, 10_000.0, 6),
        ),
        ("natation 2000m 45min", QuickLog(Sport.SWIM, TODAY, 45 * 60.0, 2000.0)),
        ("muscu 40 min", QuickLog(Sport.STRENGTH, TODAY, 40 * 60.0)),
        ("vélo 1h30 avant-hier", QuickLog(Sport.RIDE, date(2026, 3, 9), 5400.0)),
        ("rode 42,5 km 1:35:00 dimanche", QuickLog(Sport.RIDE, date(2026, 3, 8), 5700.0, 42_500.0)),
        ("ran 5 miles 40 min last monday", QuickLog(Sport.RUN, date(2026, 3, 9), 2400.0, 8046.72)),
        ("walk 30 min 2026-03-01", QuickLog(Sport.WALK, date(2026, 3, 1), 1800.0)),
    ],
)
def test_sessions_told_in_plain_words(text, expected):
    assert parse_quick_log(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason", "says"),
    [
        ("", "empty", "Tell me what you did"),
        ("had a lovely day 45 min", "sport", "which sport"),
        ("ran 10k yesterday", "duration", "how long"),  # a distance alone could be any pace
        ("ran 10k in 52 min rpe 11", "rpe", "1 (very easy) to 10"),
        ("ran 30 s", "duration", "how long"),
        ("ran 25h", "duration", "between 1 minute and 24 hours"),
        ("ran 45 min 2026-04-01", "day", "future"),
        ("ran 45 min 2026-02-30", "day", "does not exist"),
        ("ran 45 min with 3 friends", "leftover", "won't guess"),
    ],
)
def test_unclear_words_are_refused_with_the_reason(text, reason, says):
    with pytest.raises(QuickLogError) as caught:
        parse_quick_log(text, TODAY)
    assert caught.value.reason == reason
    assert says in caught.value.message


# --- properties: a number with a unit is that unit, whatever the numbers ---------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KM = st.integers(min_value=1, max_value=150)


@given(hours=st.integers(min_value=1, max_value=8), km=_KM)
def test_hours_then_a_distance_never_adds_minutes(hours, km):
    text = f"ride {hours}h {km} km"
    if km * 1000 / (hours * 3600) > 20:  # refused as too fast, never misread
        with pytest.raises(QuickLogError):
            parse_quick_log(text, TODAY)
        return
    entry = parse_quick_log(text, TODAY)
    assert (entry.duration_s, entry.distance_m) == (hours * 3600.0, km * 1000.0)


@given(hours=st.integers(min_value=0, max_value=9), minutes=st.integers(0, 59), km=_KM)
def test_a_clock_after_a_distance_is_hours_when_seconds_would_be_impossible(hours, minutes, km):
    text = f"run {km} km in {hours}:{minutes:02d}"
    as_hours = hours * 3600 + minutes * 60
    if not 60 <= as_hours <= 24 * 3600 or km * 1000 / as_hours > 7.0:
        with pytest.raises(QuickLogError):
            parse_quick_log(text, TODAY)
        return
    entry = parse_quick_log(text, TODAY)
    as_minutes = hours * 60 + minutes
    assert entry.duration_s in (float(as_minutes), float(as_hours))
    assert entry.distance_m is not None and entry.duration_s is not None, "both were typed"
    assert entry.distance_m / entry.duration_s <= 7.0  # never an impossible reading
    assert entry.duration_s >= 60


@given(minutes=st.integers(min_value=1, max_value=299))
def test_minutes_written_m_are_minutes_when_nothing_else_gives_a_duration(minutes):
    entry = parse_quick_log(f"run {minutes}m", TODAY)
    assert entry.duration_s == minutes * 60.0 and entry.distance_m is None


@given(days=st.integers(min_value=1, max_value=400))
def test_no_future_day_is_ever_recorded(days):
    day = date.fromordinal(TODAY.toordinal() + days)
    with pytest.raises(QuickLogError) as caught:
        parse_quick_log(f"ran 45 min {day.isoformat()}", TODAY)
    assert caught.value.reason == "day"
