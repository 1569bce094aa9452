"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, and they really bite.

Each contract runs as its own test, so a broken one names itself; the second half builds a
throwaway tree of the same top-level packages, adds one forbidden import per contract and shows
that the very same contracts then fail on that import (a contract that cannot fail checks nothing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def importlinter_config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, Any] = tomllib.load(file)["tool"]["importlinter"]
    return config


CONTRACTS = [contract["id"] for contract in importlinter_config()["contracts"]]


def lint_imports(cwd: Path, *contracts: str, pythonpath: str | None = None) -> str:
    """Run lint-imports on cwd's pyproject.toml; fail the test with its report when it fails."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    selected = [argument for contract in contracts for argument in ("--contract", contract)]
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *selected],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(output, pytrace=False)
    return output


# Contracts the code does not keep yet (issue 14's wiring step: doors importing workers and
# web.app, doors importing trainlytics.container/settings, the workers' import cycle). They
# are strict xfails: the day one holds, its test fails until it is taken off this list.
NOT_KEPT_YET = {"no-import-cycles"}


@pytest.mark.parametrize(
    "contract",
    [
        pytest.param(
            c,
            marks=pytest.mark.xfail(strict=True, reason="issue 14: wiring not done yet"),
        )
        if c in NOT_KEPT_YET
        else c
        for c in CONTRACTS
    ],
)
def test_the_project_keeps_the_contract(contract: str) -> None:
    assert "BROKEN" not in lint_imports(ROOT, contract)


# One forbidden import per contract: (importing module, its source), written into the tree.
FORBIDDEN = {
    "core-imports-no-door": ("core.rules", "import bot.chat\n"),
    "core-imports-no-framework": ("core.rules", "import fastapi\n"),
    "conversation-imports-no-platform": ("bot.conversation.handlers", "import bot.telegram.door\n"),
    "doors-are-independent": ("web.pages", "import workers.jobs\n"),
    "only-the-root-imports-the-root": ("webhooks.routes", "import trainlytics.settings\n"),
    "no-import-cycles": ("workers.jobs", "import workers.tasks\n"),
}
# The modules the tree holds besides those above; workers.tasks closes the cycle.
TREE = {
    "core.rules": "",
    "bot.chat": "",
    "bot.conversation.handlers": "",
    "bot.telegram.door": "",
    "bot.slack.door": "",
    "bot.console.door": "",
    "web.pages": "",
    "webhooks.routes": "",
    "workers.jobs": "",
    "workers.tasks": "import workers.jobs\n",
    "trainlytics.settings": "",
}


def write_tree(root: Path, modules: dict[str, str]) -> None:
    for dotted, source in modules.items():
        parts = dotted.split(".")
        for depth in range(1, len(parts)):
            package = root.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
        root.joinpath(*parts[:-1], f"{parts[-1]}.py").write_text(source)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The project's [tool.importlinter] verbatim, over a tree of clean packages."""
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    write_tree(tmp_path, {**TREE, "workers.tasks": ""})
    return tmp_path


def lint_tree(tree: Path, *contracts: str) -> str:
    # The tree's packages come first; the repository after them only for the contract type.
    return lint_imports(tree, *contracts, pythonpath=os.pathsep.join([str(tree), str(ROOT)]))


def test_the_clean_tree_keeps_every_contract(tree: Path) -> None:
    assert "BROKEN" not in lint_tree(tree)


def test_every_contract_has_a_forbidden_import_below() -> None:
    assert set(CONTRACTS) <= set(FORBIDDEN)


@pytest.mark.parametrize("contract", CONTRACTS)
def test_a_forbidden_import_breaks_the_contract(tree: Path, contract: str) -> None:
    importer, source = FORBIDDEN[contract]
    write_tree(tree, {**TREE, importer: source})
    with pytest.raises(pytest.fail.Exception) as failure:
        lint_tree(tree, contract)
    report = str(failure.value)
    assert "BROKEN" in report
    assert importer in report
