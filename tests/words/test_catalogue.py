"""The catalogue is whole: every key in every language, the same placeholders, every plural form."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from core.errors import NotFound
from core.words import LANGUAGES, format_number, say, say_n, sport_name
from core.words.catalogue import po_path

ROOT = Path(__file__).resolve().parents[2]


def catalog(code: str) -> Catalog:
    with po_path(code).open("rb") as handle:
        return read_po(handle, locale=code)


def forms(message: Message) -> list[str]:
    text = message.string
    if message.pluralizable:
        assert isinstance(text, tuple | list), "a plural entry has one string per form"
        return list(text)
    assert isinstance(text, str), "a singular entry has one string"
    return [text]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def entries(code: str) -> dict[str, Message]:
    """Messages by key: a plural entry's key is its singular English text."""
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog(code) if m.id}


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_every_key_is_in_every_language(code: str) -> None:
    english, other = entries("en"), entries(code)
    assert sorted(set(english) - set(other)) == []
    assert sorted(set(other) - set(english)) == []
    untranslated = [key for key, m in other.items() if not all(forms(m))]
    assert untranslated == []


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_placeholders_are_the_same_in_every_language(code: str) -> None:
    english, other = entries("en"), entries(code)
    differ = {
        key: (placeholders(" ".join(forms(m))), placeholders(" ".join(forms(other[key]))))
        for key, m in english.items()
        if key in other
        and placeholders(" ".join(forms(m))) != placeholders(" ".join(forms(other[key])))
    }
    assert differ == {}


@pytest.mark.parametrize("code", LANGUAGES)
def test_plural_entries_have_every_form_of_the_language(code: str) -> None:
    cat = catalog(code)
    short = [m.id[0] for m in cat if m.id and m.pluralizable and len(forms(m)) != cat.num_plurals]
    assert short == []


def test_no_sentence_guesses_a_plural_with_parentheses() -> None:
    for code in LANGUAGES:
        guessed = [k for k, m in entries(code).items() if any("(s)" in f for f in forms(m))]
        assert guessed == [], code


def test_plural_forms_follow_each_language() -> None:
    assert say_n("en", "roster_flags", 1) == "⚠ 1 flag"
    assert say_n("en", "roster_flags", 0) == "⚠ 0 flags"
    assert say_n("fr", "roster_flags", 0) == "⚠ 0 alerte"  # French: zero is singular
    assert say_n("fr", "dg_count", 2).startswith("2 athlètes demandent")


def test_french_numbers_have_a_decimal_comma() -> None:
    assert format_number(5.5, "fr", 1) == "5,5"
    assert format_number(5.5, "en", 1) == "5.5"
    assert say("fr", "ath_load", fitness=45.0, fatigue=50.0, form=-4.7).endswith("-5")
    assert "1,5" in say("fr", "tz_from_offset", tz=1.5)


def test_a_missing_language_or_sport_falls_back() -> None:
    assert say("de", "role_coach") == say("en", "role_coach")
    assert sport_name("fr", "trail_run") == "trail"
    assert sport_name("fr", "kitesurf") == "kitesurf"


def test_a_domain_error_logs_english_and_speaks_the_person_s_language() -> None:
    err = NotFound("refuse_workout_does_not_exist")
    assert str(err) == "That workout does not exist."
    assert err.text("fr") == "Cette séance n'existe pas."


RAISE_LITERAL = re.compile(
    r"raise (?:DomainError|NotFound|PermissionDenied|InvalidInput|InvalidTimezone"
    r'|InvitationError|Conflict)\("([^"]*)"\)'
)


def test_core_raises_name_catalogue_keys_not_english_sentences() -> None:
    english = entries("en")
    literal = [
        f"{path.relative_to(ROOT)}: {found.group(1)}"
        for path in sorted((ROOT / "core").rglob("*.py"))
        for found in RAISE_LITERAL.finditer(path.read_text())
        if found.group(1) not in english
    ]
    assert literal == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_chart_and_the_chat_name_load_the_same_way(code: str) -> None:
    chat = say(code, "ath_load", fitness=1.0, fatigue=2.0, form=3.0)
    for word in ("fitness", "fatigue", "form"):
        assert say(code, f"chart_{word}") in chat


def test_chat_distances_use_the_person_s_decimal_symbol() -> None:
    from bot.conversation.cards import distance

    assert distance(5500, "metric", "fr") == "5,5 km"
    assert distance(5500, "metric", "en") == "5.5 km"
