"""Provider FIT downloads -> `ParsedActivity` through `core.files`.

The file knows the sport better than most summaries, but a provider's own label can be
more precise (Garmin's TRAIL_RUNNING where the FIT says running), so a hint of the same
family refines the file's sport, and replaces it when the file only says "other".
"""

from __future__ import annotations

from core.activities.parsed import ParsedActivity, Sport
from core.files import ActivityFileError, parse_activity_file
from core.sync.providers.base import ProviderError


class UnreadableActivityFile(ProviderError):
    """The provider served a file that core.files cannot read; retrying will not help."""


def activities_from_fit(
    data: bytes, filename: str, source: str, sport_hint: Sport | None = None
) -> list[ParsedActivity]:
    try:
        activities = parse_activity_file(data, filename)
    except ActivityFileError as exc:
        raise UnreadableActivityFile(f"{source}: {filename}: {exc}") from exc
    if sport_hint is not None and len(activities) == 1:
        parsed = activities[0]
        generic = parsed.sport.value == parsed.sport.family
        if parsed.sport is Sport.OTHER or (generic and parsed.sport.family == sport_hint.family):
            parsed.sport = sport_hint
    return activities
