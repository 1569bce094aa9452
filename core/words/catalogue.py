"""The catalogue: gettext .po files read with Babel at first use (no compile step).

`say(locale, key, **values)` picks the person's language (their User.locale, set from
Telegram's language code at first contact and changed in /settings) and falls back to
English for a missing or untranslated key. `say_n` picks the plural form the language's
rule asks for. User-facing words are Fitness, Fatigue, Form and Load; never CTL, ATL,
TSB or TSS.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from core.words.numbers import LocaleFormatter

DOMAIN = "trainlytics"
LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT = "en"

Entry = str | tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One language's sentences and its plural rule (n -> index of the form)."""

    code: str
    entries: dict[str, Entry]
    plural: Callable[[int], int]


def po_path(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def table(code: str) -> Table:
    """Read one language's .po once per process; empty translations count as missing."""
    with po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    entries: dict[str, Entry] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string
        if isinstance(text, tuple | list):
            if any(text):
                entries[key] = tuple(text)
        elif text:
            entries[key] = text
    return Table(code=code, entries=entries, plural=gettext.c2py(catalog.plural_expr))


def language(locale: str | None) -> str:
    """Our language for a tag such as "fr", "fr-CA" or "fr_FR"; unknown ones get English."""
    code = (locale or DEFAULT).replace("_", "-").split("-", 1)[0].strip().lower()
    return code if code in LANGUAGES else DEFAULT


def has_key(key: str) -> bool:
    """Whether the catalogue has a sentence for `key` (English is the reference)."""
    return key in table(DEFAULT).entries


def _entry(code: str, key: str) -> tuple[str, Entry]:
    found = table(code).entries.get(key)
    if found is not None:
        return code, found
    return DEFAULT, table(DEFAULT).entries[key]  # KeyError: a key nobody wrote


def _fill(code: str, template: str, values: dict[str, object]) -> str:
    return LocaleFormatter(code).format(template, **values) if values else template


def say(locale: str | None, key: str, **values: object) -> str:
    code, entry = _entry(language(locale), key)
    template = entry[-1] if isinstance(entry, tuple) else entry
    return _fill(code, template, values)


def say_n(locale: str | None, key: str, count: int, **values: object) -> str:
    """The sentence for `count` things, in the form the language's plural rule picks.

    `count` is also given to the sentence as {count}.
    """
    code, entry = _entry(language(locale), key)
    if isinstance(entry, tuple):
        index = min(table(code).plural(count), len(entry) - 1)
        template = entry[index]
    else:
        template = entry
    return _fill(code, template, {"count": count, **values})


def sport_name(locale: str | None, sport: str) -> str:
    """A sport's name ("trail_run" -> "trail"); a sport the catalogue lacks reads as itself."""
    key = f"sport_{sport}"
    return say(locale, key) if has_key(key) else sport.replace("_", " ")
