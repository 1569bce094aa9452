"""A calendar day as a person types it: "2026-12-20", "20/12/2026", "Dec 20", "20 déc.".

Hand-written over Babel's CLDR month names rather than dateparser: dateparser guesses
from hundreds of languages and relative phrases ("in two weeks", "next Friday") and
would read "20 mai" in a sentence as a date in any language it likes; the product needs
a few unambiguous forms in English and French, which this covers in one screen.

- ISO `YYYY-MM-DD`.
- Numbers `D/M/YYYY` (also `.` or `-`, two-digit years): day first, the way French and
  most English speakers outside the US write it; month first when the first number
  cannot be a month's day order otherwise (`12/20/2026`) or `month_first` is asked
  (a person on imperial units).
- A month name or its abbreviation in English or French, before or after the day, with
  an optional year and an optional weekday: "Dec 20", "20 December 2026", "sam. 20 déc.".
- Without a year, the next such day from `today` on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

from babel.dates import get_day_names, get_month_names

from core.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_WORDS = re.compile(r"[a-z]+|\d+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _months() -> dict[str, int]:
    """Folded month names and abbreviations (without their dot) -> month number."""
    names: dict[str, int] = {}
    for locale in ("en", "fr"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[_fold(name).rstrip(".")] = number
    names["sept"] = 9  # "Sept 20", common in English too
    return names


@cache
def _weekdays() -> frozenset[str]:
    """Folded weekday names and abbreviations, skipped ("sam. 20 déc.", "Tue Dec 20")."""
    names = set()
    for locale in ("en", "fr"):
        for width in ("wide", "abbreviated"):
            names |= {_fold(n).rstrip(".") for n in get_day_names(width, locale=locale).values()}
    return frozenset(names)


def read_date(text: str, today: date, *, month_first: bool = False) -> date:
    """The day `text` names; InvalidInput when it names none."""
    cleaned = " ".join(_fold(text).replace(",", " ").split())
    if match := _ISO.match(cleaned):
        return _day(int(match[1]), int(match[2]), int(match[3]), text)
    if match := _NUMERIC.match(cleaned):
        first, second = int(match[1]), int(match[2])
        day, month = (
            (second, first)
            if (month_first and first <= 12) or second > 12
            else (
                first,
                second,
            )
        )
        return _with_year(day, month, match[3], today, text)
    return _named(cleaned, today, text)


def _named(cleaned: str, today: date, text: str) -> date:
    months = _months()
    found: list[tuple[str, int]] = []
    day = year = None
    for word in _WORDS.findall(cleaned):
        if word.isdigit():
            if len(word) == 4 and year is None:
                year = word
            elif day is None and len(word) <= 2:
                day = int(word)
            else:
                raise InvalidInput("refuse_date_unreadable", text=text)
        elif word in months:
            found.append((word, months[word]))
        elif word not in _weekdays():
            raise InvalidInput("refuse_date_unreadable", text=text)
    # "mar." is March in English and Tuesday in French: a weekday gives way to a month.
    if len(found) > 1:
        found = [f for f in found if f[0] not in _weekdays()]
    month = found[0][1] if len(found) == 1 else None
    if month is None or day is None:
        raise InvalidInput("refuse_date_unreadable", text=text)
    return _with_year(day, month, year, today, text)


def _with_year(day: int, month: int, year: str | None, today: date, text: str) -> date:
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _day(full, month, day, text)
    candidate = _day(today.year, month, day, text, leap_ok=True)
    if candidate < today:
        candidate = _day(today.year + 1, month, day, text, leap_ok=True)
    return candidate


def _day(year: int, month: int, day: int, text: str, *, leap_ok: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and (month, day) == (2, 29):
            return _day(year + 1, month, day, text, leap_ok=True)  # the next leap year's
        raise InvalidInput("refuse_date_not_on_calendar", text=text) from None
