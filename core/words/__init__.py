"""Every word a person reads, in their language: one gettext catalogue for core and every door.

The sentences live in `locales/<lang>/LC_MESSAGES/trainlytics.po` (msgid = a key such as
"welcome", English text in the `en` catalogue); docs/words.md says how to add one.
Numbers and dates are written the person's way by `core.words.numbers`.
"""

from core.words.catalogue import LANGUAGES, has_key, language, say, say_n, sport_name
from core.words.numbers import format_amount, format_date, format_number, format_percent

__all__ = [
    "LANGUAGES",
    "format_amount",
    "format_date",
    "format_number",
    "format_percent",
    "has_key",
    "language",
    "say",
    "say_n",
    "sport_name",
]
