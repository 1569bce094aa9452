"""Dates as a person reads them, in their language (Babel's CLDR data)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date


def long_date(day: date, locale: str) -> str:
    """ "10 Mar 2026" / "10 mars 2026": a date with its year, for what holds "since"."""
    return format_date(day, "d MMM y", locale=locale)
