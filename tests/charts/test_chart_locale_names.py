"""Dates and words on charts follow the person's language, without touching the C locale."""

from __future__ import annotations

from datetime import date

import pytest

from core.charts import chart_locale, format_day_label


def test_english_and_french_day_labels() -> None:
    day = date(2025, 3, 3)
    assert format_day_label(day, "en") == "Mon 3 Mar"
    assert format_day_label(day, "fr") == "lun. 3 mars"


@pytest.mark.parametrize("tag", ["fr", "fr-CA", "fr_FR", "FR"])
def test_regional_french_tags_use_french(tag: str) -> None:
    assert format_day_label(date(2025, 8, 17), tag) == "dim. 17 août"


def test_unknown_language_falls_back_to_english() -> None:
    assert format_day_label(date(2025, 12, 25), "pt-BR") == "Thu 25 Dec"
    assert chart_locale(None).code == "en"


def test_user_facing_names_avoid_trademarked_abbreviations() -> None:
    for code in ("en", "fr"):
        words = " ".join(chart_locale(code).words.values())
        for trademark in ("CTL", "ATL", "TSB", "TSS"):
            assert trademark not in words
    assert chart_locale("en").words["fitness"] == "Fitness"
    assert chart_locale("en").words["form"] == "Form"


def test_numbers_and_percentages_follow_the_language() -> None:
    assert chart_locale("en").number(-12.5, 1) == "\u221212.5"
    assert chart_locale("fr").number(-12.5, 1) == "\u221212,5"
    assert chart_locale("en").percent(92) == "92%"
    assert chart_locale("fr").percent(92) == "92\u202f%"
