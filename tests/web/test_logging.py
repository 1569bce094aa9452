"""Production logs: JSON lines carrying the request id, with calendar tokens masked,
one line per request.

Run in a child process because configuring logging replaces the process's root handlers.
"""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import logging, structlog
from core.settings import Settings
from core.observability import setup_observability
setup_observability(Settings(env="production", secret_key="x", encryption_keys="y",
                             sentry_dsn="https://key@example.invalid/1"))
structlog.contextvars.bind_contextvars(request_id="req-7")
structlog.get_logger("trainlytics.web").info("http_request", path="/calendar/" + "A" * 43)
logging.getLogger("uvicorn.access").info(
    '%s - "%s %s HTTP/%s" %d', "192.0.2.1", "GET", "/calendar/" + "B" * 43 + ".ics", "1.1", 200
)
"""


def test_production_logs_are_json_with_request_id_and_no_tokens() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    by_event = {line["event"].split(" ")[0]: line for line in lines}
    assert by_event["http_request"]["request_id"] == "req-7"
    assert by_event["http_request"]["path"] == "/calendar/<token>"
    # One line per request: uvicorn's access line is not written (the middleware's is).
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
    assert "A" * 43 not in done.stderr and "B" * 43 not in done.stderr
    # A DSN without sentry-sdk installed is a warning, not a crash.
    assert any(line["event"] == "sentry_disabled" for line in lines) or _sentry_installed()


def _sentry_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("sentry_sdk") is not None
