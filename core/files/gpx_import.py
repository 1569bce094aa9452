"""GPX tracks → one `ParsedActivity` (GPX has no sessions; all tracks form one activity).

Parsed with gpxpy. GPX carries no distance, so distance is summed from the positions and
flagged `distance_from_gps=True` (it reads longer than a wheel/device distance at low speed,
see the fixtures MANIFEST). Heart rate, cadence, temperature and power come from the Garmin
TrackPointExtension and the common `<power>` extension.
"""

from __future__ import annotations

import gpxpy
import gpxpy.gpx
import numpy as np

from core.activities.parsed import ParsedActivity
from core.files.errors import ActivityFileError, FileProblem
from core.files.geo import step_distances_m
from core.files.sniff import reject_unsafe_xml
from core.files.sports import sport_from_word
from core.files.track_samples import TrackSamples, build_activity

# Extension element local names → Streams channel.
_EXTENSIONS = {
    "hr": "heart_rate",
    "heartrate": "heart_rate",
    "cad": "cadence",
    "cadence": "cadence",
    "atemp": "temperature",
    "wtemp": "temperature",
    "temp": "temperature",
    "power": "power",
    "watts": "power",
    "speed": "speed",
}


def parse_gpx(data: bytes) -> list[ParsedActivity]:
    reject_unsafe_xml(data)
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except gpxpy.gpx.GPXException as exc:
        raise ActivityFileError(FileProblem.CORRUPT, fmt="GPX", detail=str(exc)) from exc

    samples = TrackSamples()
    segment_starts: list[int] = []
    for track in gpx.tracks:
        for segment in track.segments:
            segment_starts.append(len(samples.times))
            for point in segment.points:
                if point.time is None:
                    continue
                samples.add(
                    point.time,
                    lat=point.latitude,
                    lng=point.longitude,
                    altitude=point.elevation,
                    **_extension_values(point),
                )
    if not samples.times:
        raise ActivityFileError(
            FileProblem.NOT_AN_ACTIVITY,
            "This GPX file has no timed track points — it looks like a route or course, "
            "not a recorded activity.",
        )
    _add_gps_distance(samples, segment_starts)
    first_track = gpx.tracks[0] if gpx.tracks else None
    has_elevation = any(not np.isnan(v) for v in samples.channels["altitude"])
    up_down = gpx.get_uphill_downhill() if has_elevation else None
    return [
        build_activity(
            samples=samples,
            sport=sport_from_word(first_track.type if first_track else None),
            source_format="gpx",
            name=(first_track.name if first_track else None) or gpx.name,
            distance_m=samples.channels["distance"][-1] if samples.times else None,
            distance_from_gps=True,
            elevation=(up_down.uphill, up_down.downhill) if up_down else (None, None),
        )
    ]


def _extension_values(point: gpxpy.gpx.GPXTrackPoint) -> dict[str, float]:
    values: dict[str, float] = {}
    for extension in point.extensions:
        for element in extension.iter():
            channel = _EXTENSIONS.get(element.tag.rsplit("}", 1)[-1].lower())
            if channel and element.text:
                try:
                    values[channel] = float(element.text)
                except ValueError:
                    continue
    return values


def _add_gps_distance(samples: TrackSamples, segment_starts: list[int]) -> None:
    """Fill the distance channel with the cumulative great-circle distance.

    Steps across a segment boundary (the device stopped recording there) are not counted.
    """
    lat = np.asarray(samples.channels["lat"], dtype=np.float64)
    lng = np.asarray(samples.channels["lng"], dtype=np.float64)
    steps = step_distances_m(lat, lng)
    boundaries = [i - 1 for i in segment_starts if 0 < i <= steps.size]
    steps[boundaries] = 0.0
    steps[np.isnan(steps)] = 0.0
    samples.channels["distance"] = np.concatenate([[0.0], np.cumsum(steps)]).tolist()
