"""Starting the Procfile's roles as a platform does: its command line, a process group each.

`start(role, env, log)` runs the role's Procfile line with the venv's `trainlytics`, in a
session of its own (PaaS and Kubernetes signal the whole container; the group stands for
it here). `alive_in_group(pgid)` lists the processes of that group that still run.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAINLYTICS = str(Path(sys.executable).with_name("trainlytics"))


def procfile() -> dict[str, list[str]]:
    roles = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and not line.startswith("#"):
            roles[name.strip()] = shlex.split(command)
    return roles


def role_command(role: str) -> list[str]:
    command = procfile()[role]
    assert command[0] == "trainlytics", f"the Procfile's {role} role does not run trainlytics"
    return [TRAINLYTICS, *command[1:]]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def alive_in_group(pgid: int) -> list[int]:
    """Pids of the group that still run (zombies waiting to be reaped do not count)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def output(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""
