"""The record the worker-kill task keeps in a SQLite file: each start, and its one effect."""

from __future__ import annotations

import sqlite3


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("CREATE TABLE IF NOT EXISTS starts (n INTEGER)")
    conn.execute("CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY)")
    return conn


def counts(path: str) -> tuple[int, int]:
    with connect(path) as conn:
        starts = conn.execute("SELECT COUNT(*) FROM starts").fetchone()[0]
        effects = conn.execute("SELECT COUNT(*) FROM effects").fetchone()[0]
    return starts, effects
