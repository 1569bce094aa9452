"""TCX (Garmin Training Center) → one `ParsedActivity` per `<Activity>`.

Read with the standard library's ElementTree after `reject_unsafe_xml` has refused any
DTD/entity declaration (no third-party TCX reader is maintained). `{*}` matches any
namespace, since exporters differ in prefixes and some omit the namespace.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from core.activities.parsed import Lap, ParsedActivity
from core.files.errors import ActivityFileError, FileProblem
from core.files.sniff import reject_unsafe_xml
from core.files.sports import sport_from_word
from core.files.track_samples import TrackSamples, build_activity


def parse_tcx(data: bytes) -> list[ParsedActivity]:
    reject_unsafe_xml(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ActivityFileError(FileProblem.CORRUPT, fmt="TCX", detail=str(exc)) from exc
    activities = [
        parsed
        for element in root.iterfind("{*}Activities/{*}Activity")
        if (parsed := _activity(element)) is not None
    ]
    if not activities:
        raise ActivityFileError(FileProblem.NOT_AN_ACTIVITY, fmt="TCX")
    return activities


def _activity(element: ET.Element) -> ParsedActivity | None:
    samples = TrackSamples()
    laps: list[Lap] = []
    for lap in element.iterfind("{*}Lap"):
        laps.append(_lap(lap))
        for point in lap.iterfind("{*}Track/{*}Trackpoint"):
            time = _time(_text(point, "{*}Time"))
            if time is None:
                continue
            samples.add(
                time,
                lat=_float(_text(point, "{*}Position/{*}LatitudeDegrees")),
                lng=_float(_text(point, "{*}Position/{*}LongitudeDegrees")),
                altitude=_float(_text(point, "{*}AltitudeMeters")),
                distance=_float(_text(point, "{*}DistanceMeters")),
                heart_rate=_float(_text(point, "{*}HeartRateBpm/{*}Value")),
                cadence=_float(
                    _text(point, "{*}Cadence") or _text(point, "{*}Extensions/{*}TPX/{*}RunCadence")
                ),
                speed=_float(_text(point, "{*}Extensions/{*}TPX/{*}Speed")),
                power=_float(_text(point, "{*}Extensions/{*}TPX/{*}Watts")),
            )
    if not samples.times:
        return None
    start = _time(_text(element, "{*}Id")) or (laps[0].start if laps else None)
    distances = [v for v in samples.channels["distance"] if v == v]
    lap_distance = sum(lap.distance_m or 0.0 for lap in laps)
    calories = sum(_float(_text(lap, "{*}Calories")) or 0.0 for lap in element.iterfind("{*}Lap"))
    return build_activity(
        samples=samples,
        sport=sport_from_word(element.get("Sport")),
        source_format="tcx",
        start=start,
        name=_text(element, "{*}Notes"),
        distance_m=(distances[-1] if distances else lap_distance) or None,
        # Moving time comes from the samples (gaps > 30 s are pauses, metrics.md §0): lap
        # TotalTimeSeconds is not reliable, Garmin Connect's export includes paused time.
        calories=calories or None,
        laps=laps,
    )


def _lap(element: ET.Element) -> Lap:
    timer = _float(_text(element, "{*}TotalTimeSeconds"))
    return Lap(
        start=_time(element.get("StartTime")) or datetime.fromtimestamp(0, UTC),
        elapsed_s=timer or 0.0,
        moving_s=timer,
        distance_m=_float(_text(element, "{*}DistanceMeters")) or None,
        avg_hr=_float(_text(element, "{*}AverageHeartRateBpm/{*}Value")) or None,
        avg_power=_float(_text(element, "{*}Extensions/{*}LX/{*}AvgWatts")) or None,
        avg_speed=_float(_text(element, "{*}Extensions/{*}LX/{*}AvgSpeed")) or None,
    )


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    return found.text.strip() if found is not None and found.text else None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
