"""The timezones offered as buttons; the lookup itself is core's (`core.people.timezones`)."""

from __future__ import annotations

# The list offered as buttons: a spread of offsets a person is likely to be in.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Paris",
    "Europe/Athens",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
MORE_ZONES = (
    "Europe/Lisbon",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Denver",
    "America/Sao_Paulo",
    "UTC",
)
