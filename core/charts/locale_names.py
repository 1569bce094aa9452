"""Day, month and label names for chart text, per language.

The words come from the catalogue (core/words, keys "chart_*"), so a chart names Fitness,
Fatigue and Form exactly as the chat does; day and month abbreviations and the decimal
symbol come from Babel's CLDR data (`locale.setlocale` is process-global, not safe while
other threads render or format).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from babel.dates import get_day_names, get_month_names
from babel.numbers import get_decimal_symbol

from core.words import say


@dataclass(frozen=True)
class ChartLocale:
    """Everything language-specific a chart prints."""

    code: str
    weekdays: tuple[str, ...]  # Monday first, like date.weekday()
    months: tuple[str, ...]  # January first
    words: Mapping[str, str]
    decimal_separator: str
    percent_pattern: str  # how "92 %" is written

    def day_label(self, day: date) -> str:
        """Short date with weekday, e.g. "Mon 3 Mar" / "lun. 3 mars"."""
        return f"{self.weekdays[day.weekday()]} {day.day} {self.months[day.month - 1]}"

    def day_month(self, day: date) -> str:
        """Short date without weekday, e.g. "3 Mar" / "3 mars"."""
        return f"{day.day} {self.months[day.month - 1]}"

    def number(self, value: float, decimals: int = 0) -> str:
        # U+2212 minus sign: a hyphen is easy to miss on a small screen.
        text = f"{abs(value):.{decimals}f}".replace(".", self.decimal_separator)
        return f"\u2212{text}" if round(value, decimals) < 0 else text

    def amount(self, value: float) -> str:
        """One decimal only when it carries information: "6", "5,5"."""
        return self.number(value, 0 if float(value).is_integer() else 1)

    def percent(self, value: float) -> str:
        return self.percent_pattern.format(self.number(value))


CHART_WORDS = (
    "title",
    "load",
    "planned",
    "fitness",
    "fatigue",
    "form",
    "today",
    "no_training",
    "no_training_hint",
    "lines_axis",
    "load_axis",
    "compliance_title",
    "compliance_axis",
    "no_athletes",
    "no_plan",
)


def _build(code: str) -> ChartLocale:
    """A language's chart words from the catalogue (key "chart_<word>"), names from CLDR."""
    days = get_day_names("abbreviated", locale=code)
    months = get_month_names("abbreviated", locale=code)
    return ChartLocale(
        code=code,
        weekdays=tuple(days[i] for i in range(7)),
        months=tuple(months[i] for i in range(1, 13)),
        words=MappingProxyType({word: say(code, f"chart_{word}") for word in CHART_WORDS}),
        decimal_separator=get_decimal_symbol(code),
        # French typography wants a narrow no-break space before "%".
        percent_pattern="{}\u202f%" if code == "fr" else "{}%",
    )


_ENGLISH = _build("en")
_FRENCH = _build("fr")

_LOCALES = {"en": _ENGLISH, "fr": _FRENCH}
SUPPORTED_LOCALES: tuple[str, ...] = tuple(_LOCALES)


def chart_locale(code: str | None) -> ChartLocale:
    """Locale for a language tag such as "fr", "fr-CA" or "fr_FR".

    Telegram sends whatever language the person's app uses; a language we have no table
    for falls back to English rather than failing the weekly chart.
    """
    language = (code or "en").replace("_", "-").split("-", 1)[0].strip().lower()
    return _LOCALES.get(language, _ENGLISH)


def format_day_label(day: date, locale: str = "en") -> str:
    """Short date with weekday in the person's language: "Mon 3 Mar" / "lun. 3 mars"."""
    return chart_locale(locale).day_label(day)
