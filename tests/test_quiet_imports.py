"""Library housekeeping stays out of what a person running Trainlytics reads."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_provider_connectors_prints_no_library_deprecation_notice() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import core.sync.providers.registry"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
