"""Day, month and label names for chart text, per language.

Written as a small table on purpose: `locale.setlocale` is process-global (not safe while
other threads render or format), and Babel would be a new dependency for two languages'
worth of abbreviations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType


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


_ENGLISH = ChartLocale(
    code="en",
    weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    words=MappingProxyType(
        {
            "title": "Training load",
            "load": "Load",
            "planned": "Planned",
            "fitness": "Fitness",
            "fatigue": "Fatigue",
            "form": "Form",
            "today": "Today",
            "no_training": "No training yet",
            "no_training_hint": "Your chart fills in as workouts arrive.",
            "lines_axis": "Fitness / Fatigue / Form",
            "load_axis": "Load per day",
            "compliance_title": "Plan compliance",
            "compliance_axis": "Completed vs planned",
            "no_athletes": "No athletes yet",
            "no_plan": "no plan",
        }
    ),
    decimal_separator=".",
    percent_pattern="{}%",
)

_FRENCH = ChartLocale(
    code="fr",
    weekdays=("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    months=(
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
    words=MappingProxyType(
        {
            "title": "Charge d'entraînement",
            "load": "Charge",
            "planned": "Prévu",
            "fitness": "Forme de fond",
            "fatigue": "Fatigue",
            "form": "Fraîcheur",
            "today": "Aujourd'hui",
            "no_training": "Pas encore d'entraînement",
            "no_training_hint": "Le graphique se remplit au fil des séances.",
            "lines_axis": "Forme de fond / Fatigue / Fraîcheur",
            "load_axis": "Charge par jour",
            "compliance_title": "Respect du plan",
            "compliance_axis": "Réalisé par rapport au prévu",
            "no_athletes": "Aucun athlète pour l'instant",
            "no_plan": "pas de plan",
        }
    ),
    decimal_separator=",",
    percent_pattern="{}\u202f%",  # narrow no-break space, as French typography wants
)

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
