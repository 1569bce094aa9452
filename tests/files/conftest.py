"""Activity fixtures come from tests/fixtures/activities (copied byte-identical, see MANIFEST)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from core.activities.parsed import ParsedActivity
from core.files import parse_activity_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "activities"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@cache
def _parsed(name: str) -> list[ParsedActivity]:
    return parse_activity_file(fixture_bytes(name), name)


@pytest.fixture
def parse_fixture() -> Callable[[str], list[ParsedActivity]]:
    """Parse a fixture once per test run (tests only read the result)."""
    return _parsed
