"""Numbers and dates the way a person's language writes them ("5,5 km" in French), via Babel.

`LocaleFormatter` is what `say` fills sentences with: a number placeholder keeps its
Python format spec ("{load:.1f}") and gets the language's decimal and group symbols.
"""

from __future__ import annotations

import string
from datetime import date
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, get_decimal_symbol, get_group_symbol

MINUS = "\u2212"  # a real minus sign: a hyphen is easy to miss on a small chart


@cache
def _symbols(code: str) -> dict[int, str]:
    return str.maketrans({".": get_decimal_symbol(code), ",": get_group_symbol(code)})


def localise(text: str, code: str) -> str:
    """Swap Python's "." and "," in an already formatted number for the language's symbols."""
    return text.translate(_symbols(code))


def format_number(value: float, locale: str, decimals: int = 0, *, minus: str = "-") -> str:
    """`value` rounded to `decimals` places: "1,234.5" / "1 234,5"."""
    text = localise(f"{abs(value):,.{decimals}f}", locale)
    return f"{minus}{text}" if round(value, decimals) < 0 else text


def format_amount(value: float, locale: str, *, minus: str = "-") -> str:
    """One decimal only when it carries information: "6", "5,5"."""
    return format_number(value, locale, 0 if float(value).is_integer() else 1, minus=minus)


@cache
def _percent_pattern(code: str) -> str:
    # Babel's pattern is e.g. "#,##0%" (en) or "#,##0 %" (fr, narrow no-break space).
    number_pattern = Locale.parse(code).percent_formats[None]
    if not isinstance(number_pattern, NumberPattern):  # Babel types its locale data as Any
        raise TypeError(f"no percent pattern for {code!r}")
    pattern = number_pattern.pattern
    head, _, tail = pattern.partition("%")
    number_part = head.rstrip("#,0. \u00a0\u202f")
    spacing = head[len(head.rstrip(" \u00a0\u202f")) :]
    return number_part + "{}" + spacing + "%" + tail


def format_percent(value: float, locale: str, *, minus: str = "-") -> str:
    """A percentage already scaled to 0-100: "92%" / "92 %"."""
    return _percent_pattern(locale).format(format_number(value, locale, minus=minus))


def format_date(day: date, locale: str, fmt: str = "medium") -> str:
    """A date in the language's words: Babel formats ("medium") or CLDR patterns ("d MMM")."""
    return babel_format_date(day, format=fmt, locale=locale)


class LocaleFormatter(string.Formatter):
    """str.format that writes numbers with the language's decimal and group symbols."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def format_field(self, value: Any, format_spec: str) -> str:
        text = format(value, format_spec)  # what string.Formatter.format_field does
        if isinstance(value, int | float) and not isinstance(value, bool):
            return localise(text, self.code)
        return text
