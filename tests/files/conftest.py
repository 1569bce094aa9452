"""Activity fixtures come from tests/fixtures/activities (copied byte-identical, see MANIFEST)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.activity_data import ParsedActivity
from core.files import parse_activity_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "activities"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def parse_fixture() -> Callable[[str], list[ParsedActivity]]:
    def parse(name: str) -> list[ParsedActivity]:
        return parse_activity_file(fixture_bytes(name), name)

    return parse
