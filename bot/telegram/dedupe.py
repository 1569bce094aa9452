"""Telegram redelivers an update when our answer is slow: handle each `update_id` once.

The claim is `core.inbound.claims.claim_update` (shared with Slack). It runs inside the
handling's unit of work (see `bot.telegram.middlewares.UpdateOnce`), so a handling that
fails rolls its claim back and Telegram's retry is handled again.
"""

from __future__ import annotations

from core.inbound.claims import claim_update

__all__ = ["claim_update"]
