"""The README and .env.example must name every setting a person can set."""

from pathlib import Path

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _variables() -> list[str]:
    return [f"TRAINLYTICS_{name.upper()}" for name in Settings.model_fields]


def test_env_example_lists_every_setting():
    text = (ROOT / ".env.example").read_text()
    missing = [v for v in _variables() if v not in text]
    assert not missing, f".env.example lacks {missing}"


def test_readme_or_its_docs_name_every_setting():
    text = (ROOT / "README.md").read_text() + "".join(
        p.read_text() for p in (ROOT / "docs").glob("*.md")
    )
    missing = [v for v in _variables() if v not in text and not _documented_as_family(v, text)]
    assert not missing, f"README/docs lack {missing}"


def _documented_as_family(variable: str, text: str) -> bool:
    # "TRAINLYTICS_STRAVA_CLIENT_ID, _CLIENT_SECRET" documents TRAINLYTICS_STRAVA_CLIENT_SECRET.
    prefix, _, suffix = variable.removeprefix("TRAINLYTICS_").partition("_")
    return f"TRAINLYTICS_{prefix}_" in text and f"_{suffix}" in text
