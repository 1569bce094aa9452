"""A provider's reference to one activity: stored as JSON in a webhook event, ordered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.activities.parsed import Sport
from core.sync.providers.base import ActivityRef


def ref_order(ref: ActivityRef) -> tuple[str, int, str]:
    """Oldest first; ids of equal length compare numerically, so ties stay stable."""
    start = ref.start.astimezone(UTC).isoformat() if ref.start else ""
    return (start, len(ref.activity_id), ref.activity_id)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def ref_to_json(ref: ActivityRef) -> dict[str, Any]:
    return {
        "provider": ref.provider,
        "activity_id": ref.activity_id,
        "start": ref.start.isoformat() if ref.start else None,
        "updated": ref.updated.isoformat() if ref.updated else None,
        "sport_hint": ref.sport_hint.value if ref.sport_hint else None,
        "download_url": ref.download_url,
        "summary": dict(ref.summary) if ref.summary is not None else None,
        "pull_from": ref.pull_from,
    }


def ref_from_json(data: Mapping[str, Any]) -> ActivityRef:
    return ActivityRef(
        provider=data["provider"],
        activity_id=str(data["activity_id"]),
        start=parse_time(data.get("start")),
        updated=parse_time(data.get("updated")),
        sport_hint=Sport(data["sport_hint"]) if data.get("sport_hint") else None,
        download_url=data.get("download_url"),
        summary=data.get("summary"),
        pull_from=data.get("pull_from"),
    )
