"""Progress messages: successive figures of one chat message (a backfill's counts),
each edit replacing the one before instead of a new message per figure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def progress_group(kind: str, payload: Mapping[str, Any]) -> str | None:
    """Rows that are successive figures of one chat message (`progress_of` + `generation`,
    written by core.sync's backfill), or None for an ordinary message."""
    if payload.get("progress_of") is None:
        return None
    return f"{kind}:{payload['progress_of']}:{payload.get('generation', '')}"
