"""Production logs are JSON lines: an error's traceback is in them, as text, whether the
line comes from our structlog loggers or a library's standard-library logger."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.roles.procfile import ROOT

SCRIPT = """
import logging, structlog
from core.observability import setup_observability
from core.settings import Settings
setup_observability(Settings(env="production", log_json=True))
try:
    {}["provider_token"]
except KeyError:
    logging.getLogger("taskiq.receiver.receiver").exception("task failed")
    structlog.get_logger("workers.tasks").exception("sync failed")
"""


def test_json_log_lines_carry_the_traceback_of_stdlib_and_structlog_errors():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [line["event"] for line in lines] == ["task failed", "sync failed"]
    for line in lines:
        assert "exc_info" not in line
        assert "Traceback (most recent call last)" in line["exception"]
        assert "KeyError: 'provider_token'" in line["exception"]
