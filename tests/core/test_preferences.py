"""Reminder times and quiet hours: the rules of what may be stored (core.people.preferences)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from core.db.models import User
from core.errors import InvalidInput
from core.people import preferences


def test_only_offered_reminder_times_are_accepted() -> None:
    assert preferences.reminder_time("evening", "2000") == time(20)
    assert preferences.reminder_time("morning", "off") is None
    with pytest.raises(InvalidInput):
        preferences.reminder_time("evening", "0300")
    with pytest.raises(InvalidInput):
        preferences.reminder_time("noon", "1200")


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(22), None), (None, time(7)), (time(22), time(22)), (time(6), time(23))],
)
def test_an_insane_quiet_window_is_refused(start, end) -> None:
    with pytest.raises(InvalidInput):
        preferences.check_quiet_window(start, end)


def test_quiet_windows_may_wrap_midnight() -> None:
    assert preferences.quiet_length(time(22), time(7)) == timedelta(hours=9)
    assert preferences.quiet_length(time(1), time(6)) == timedelta(hours=5)
    for start, end in preferences.QUIET_CHOICES:
        preferences.check_quiet_window(start, end)


async def test_settings_are_written_and_refusals_change_nothing(db) -> None:
    async with db.unit_of_work() as s:
        user = User(name="Ana", timezone="Europe/Paris")
        s.add(user)
        await s.flush()
        await preferences.set_reminder(s, user.id, "evening", time(21))
        await preferences.set_quiet_hours(s, user.id, time(22), time(7))
        with pytest.raises(InvalidInput):
            await preferences.set_reminder(s, user.id, "evening", time(3))
        with pytest.raises(InvalidInput):
            await preferences.set_quiet_hours(s, user.id, time(22), time(22))
        assert user.reminder_evening_at == time(21)
        assert (user.quiet_hours_start, user.quiet_hours_end) == (time(22), time(7))
        await preferences.set_quiet_hours(s, user.id, None, None)
        assert user.quiet_hours_start is None
