"""core/'s mypy override spells out every flag `mypy --strict` enables (pyproject.toml)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Global-only flags: already set for the whole project in [tool.mypy].
GLOBAL_ONLY = {"warn_unused_configs", "warn_redundant_casts"}


def strict_flags() -> set[str]:
    help_text = subprocess.run(
        [sys.executable, "-m", "mypy", "--help"], capture_output=True, text=True, check=True
    ).stdout
    block = help_text.split("--strict", 1)[1].split("enables the following flags:", 1)[1]
    block = block.split("\n  --", 1)[0]
    flags = re.findall(r"--([a-z-]+)", re.sub(r"-\s+", "-", block))
    names = {flag.replace("-", "_") for flag in flags}
    # --no-implicit-reexport is implicit_reexport = false in a config file.
    return {"implicit_reexport" if name == "no_implicit_reexport" else name for name in names}


def test_core_override_lists_every_strict_flag() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    (core,) = [o for o in config["overrides"] if "core" in o["module"]]
    assert core["implicit_reexport"] is False
    assert strict_flags() - GLOBAL_ONLY == set(core) - {"module"}
    assert all(config[flag] for flag in GLOBAL_ONLY)
