"""Where the running web app listens, recorded in the data dir for the other processes.

`trainlytics chat` and `trainlytics calendar-link` are processes of their own: their
settings come from their own environment, so `TRAINLYTICS_PORT=18080 make run` followed
by a plain `trainlytics chat` used to print links to port 8000. The web role writes the
address it actually bound (after uvicorn's startup, so port 0 and a changed port are
right) to `<data dir>/web-address.json` with its pid, and removes it on shutdown;
`Settings.local_url` prefers that record while its process is alive, and falls back to
TRAINLYTICS_HOST/PORT otherwise. The data dir is already what ties the embedded
processes together (the SQLite file, the development keys).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "web-address.json"
_WILDCARDS = ("0.0.0.0", "::", "")


def reachable_url(host: str, port: int) -> str:
    """The URL this machine reaches a server bound to host:port at (a wildcard is not a place)."""
    if host in _WILDCARDS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def record(data_dir: Path, url: str) -> None:
    path = data_dir / FILE_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"url": url, "pid": os.getpid()}))
        temporary.replace(path)  # atomic: a reader never sees half a file
    except OSError as exc:  # a read-only data dir (production): links use the settings
        log.warning("could not record the web address in %s: %s", path, exc)


def forget(data_dir: Path) -> None:
    """Remove the record if it is this process's own (another web role may have replaced it)."""
    path = data_dir / FILE_NAME
    if _read(path).get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def recorded(data_dir: Path) -> str | None:
    """The running web app's URL, or None when no live process recorded one."""
    found = _read(data_dir / FILE_NAME)
    url, pid = found.get("url"), found.get("pid")
    if not isinstance(url, str) or not isinstance(pid, int) or not _alive(pid):
        return None
    return url


def _read(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _alive(pid: int) -> bool:
    """A record left by a killed server must not win over the settings."""
    if pid <= 0:  # 0 and negatives name process groups, never a server
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True
