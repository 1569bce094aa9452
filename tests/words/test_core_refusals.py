"""Refusals from core reach a person in their language, with their numbers written their way."""

from __future__ import annotations

import ast
import importlib
from datetime import date
from pathlib import Path

import pytest

from core.coaching.relationships import NOT_SHARED
from core.dates import read_date
from core.enums import Permission
from core.errors import DomainError, InvalidInput
from core.load.threshold_history import OUT_OF_RANGE, RANGES
from core.words import has_key

ROOT = Path(__file__).resolve().parents[2]


def _f_string_raises(path: Path) -> list[tuple[str, int]]:
    """(exception name, line) of each `raise Name(f"... ...")` in the file: an f-string with
    words and spaces is a sentence; one without (`f"export_needs_{threshold}"`) builds a key."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Raise):
            continue
        call = node.exc
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.args
            and isinstance(call.args[0], ast.JoinedStr)
            and any(
                isinstance(part, ast.Constant) and " " in str(part.value)
                for part in call.args[0].values
            )
        ):
            found.append((call.func.id, node.lineno))
    return found


def test_every_withheld_permission_has_its_own_sentence() -> None:
    assert set(NOT_SHARED) == set(Permission)
    assert all(has_key(key) for key in NOT_SHARED.values())
    refusal = DomainError(NOT_SHARED[Permission.PLAN_WORKOUTS])
    assert refusal.text("fr") == "Cet athlète n'a pas autorisé son coach à planifier ses séances."


def test_every_threshold_range_refusal_names_its_threshold() -> None:
    assert set(OUT_OF_RANGE) == set(RANGES)
    assert all(has_key(key) for key in OUT_OF_RANGE.values())


def test_a_scaled_factor_out_of_range_reads_with_a_french_decimal_comma() -> None:
    refusal = InvalidInput("refuse_scale_factor_range", low=0.1, high=2.0)
    assert str(refusal) == "Scale a workout by a factor between 0.1 and 2."
    assert refusal.text("fr") == "Ajustez une séance d'un facteur compris entre 0,1 et 2."


def test_an_unreadable_date_is_refused_in_french() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_date("12 13 2026", date(2026, 3, 1))
    assert refused.value.text("fr") == "« 12 13 2026 » n'est pas une date que je sais lire."


def test_core_raises_no_domain_error_with_an_english_f_string() -> None:
    """A DomainError given an f-string says English to everyone; it names a key instead.

    Programmer and provider-protocol errors (ValueError, ProviderError, ...) may stay English.
    """
    english = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        relative = path.relative_to(ROOT)
        module = importlib.import_module(".".join(relative.with_suffix("").parts))
        for name, line in _f_string_raises(path):
            raised = getattr(module, name, None)
            if isinstance(raised, type) and issubclass(raised, DomainError):
                english.append(f"{relative}:{line}: {name}")
    assert english == []
