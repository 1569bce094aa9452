"""What the doors' handlers use from the composition root, as one typed value.

The root (trainlytics/container.py) builds each of these once per process; a door
receives this (or the one field it needs), never the root itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.crypto import TokenCipher
from core.db.engine import Database
from core.jobs import JobQueue
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    cipher: TokenCipher
    jobs: JobQueue
