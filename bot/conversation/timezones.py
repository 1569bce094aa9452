"""A timezone from a city name or a shared location, without any network call.

A small table of major cities (name, latitude, longitude, IANA zone). A location maps to
the nearest city within 800 km; farther than that (open sea, a remote place) we use the
fixed offset Etc/GMT±N from the longitude and say so. A hand-written table rather than a
geo library: timezonefinder and friends ship tens of MB of polygons for a question a
person answers once and can correct in /settings.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from core.errors import InvalidTimezone
from core.timeutil import validate_timezone

CITIES: tuple[tuple[str, float, float, str], ...] = (
    ("London", 51.507, -0.128, "Europe/London"),
    ("Dublin", 53.349, -6.260, "Europe/Dublin"),
    ("Lisbon", 38.722, -9.139, "Europe/Lisbon"),
    ("Paris", 48.857, 2.352, "Europe/Paris"),
    ("Lyon", 45.764, 4.836, "Europe/Paris"),
    ("Marseille", 43.296, 5.370, "Europe/Paris"),
    ("Brussels", 50.850, 4.352, "Europe/Brussels"),
    ("Amsterdam", 52.370, 4.895, "Europe/Amsterdam"),
    ("Geneva", 46.204, 6.143, "Europe/Zurich"),
    ("Zurich", 47.377, 8.541, "Europe/Zurich"),
    ("Madrid", 40.417, -3.704, "Europe/Madrid"),
    ("Barcelona", 41.385, 2.173, "Europe/Madrid"),
    ("Rome", 41.903, 12.496, "Europe/Rome"),
    ("Milan", 45.464, 9.190, "Europe/Rome"),
    ("Berlin", 52.520, 13.405, "Europe/Berlin"),
    ("Munich", 48.135, 11.582, "Europe/Berlin"),
    ("Vienna", 48.208, 16.373, "Europe/Vienna"),
    ("Copenhagen", 55.676, 12.568, "Europe/Copenhagen"),
    ("Oslo", 59.913, 10.752, "Europe/Oslo"),
    ("Stockholm", 59.329, 18.069, "Europe/Stockholm"),
    ("Helsinki", 60.170, 24.938, "Europe/Helsinki"),
    ("Warsaw", 52.230, 21.012, "Europe/Warsaw"),
    ("Prague", 50.076, 14.438, "Europe/Prague"),
    ("Athens", 37.984, 23.728, "Europe/Athens"),
    ("Istanbul", 41.008, 28.978, "Europe/Istanbul"),
    ("Moscow", 55.756, 37.617, "Europe/Moscow"),
    ("Cairo", 30.044, 31.236, "Africa/Cairo"),
    ("Casablanca", 33.573, -7.590, "Africa/Casablanca"),
    ("Dakar", 14.716, -17.467, "Africa/Dakar"),
    ("Lagos", 6.524, 3.379, "Africa/Lagos"),
    ("Nairobi", -1.292, 36.822, "Africa/Nairobi"),
    ("Johannesburg", -26.204, 28.047, "Africa/Johannesburg"),
    ("Cape Town", -33.925, 18.424, "Africa/Johannesburg"),
    ("Dubai", 25.205, 55.271, "Asia/Dubai"),
    ("Mumbai", 19.076, 72.878, "Asia/Kolkata"),
    ("Delhi", 28.704, 77.102, "Asia/Kolkata"),
    ("Bangkok", 13.756, 100.502, "Asia/Bangkok"),
    ("Singapore", 1.352, 103.820, "Asia/Singapore"),
    ("Hong Kong", 22.320, 114.169, "Asia/Hong_Kong"),
    ("Shanghai", 31.230, 121.474, "Asia/Shanghai"),
    ("Beijing", 39.904, 116.407, "Asia/Shanghai"),
    ("Seoul", 37.567, 126.978, "Asia/Seoul"),
    ("Tokyo", 35.676, 139.650, "Asia/Tokyo"),
    ("Sydney", -33.869, 151.209, "Australia/Sydney"),
    ("Melbourne", -37.814, 144.963, "Australia/Melbourne"),
    ("Perth", -31.950, 115.860, "Australia/Perth"),
    ("Auckland", -36.849, 174.763, "Pacific/Auckland"),
    ("Honolulu", 21.307, -157.858, "Pacific/Honolulu"),
    ("Anchorage", 61.218, -149.900, "America/Anchorage"),
    ("Vancouver", 49.283, -123.121, "America/Vancouver"),
    ("San Francisco", 37.775, -122.419, "America/Los_Angeles"),
    ("Los Angeles", 34.052, -118.244, "America/Los_Angeles"),
    ("Denver", 39.739, -104.990, "America/Denver"),
    ("Phoenix", 33.448, -112.074, "America/Phoenix"),
    ("Chicago", 41.878, -87.630, "America/Chicago"),
    ("Mexico City", 19.433, -99.133, "America/Mexico_City"),
    ("Toronto", 43.653, -79.383, "America/Toronto"),
    ("Montreal", 45.502, -73.567, "America/Toronto"),
    ("New York", 40.713, -74.006, "America/New_York"),
    ("Boston", 42.360, -71.059, "America/New_York"),
    ("Bogota", 4.711, -74.072, "America/Bogota"),
    ("Lima", -12.046, -77.043, "America/Lima"),
    ("Santiago", -33.449, -70.669, "America/Santiago"),
    ("Buenos Aires", -34.604, -58.382, "America/Argentina/Buenos_Aires"),
    ("Sao Paulo", -23.551, -46.633, "America/Sao_Paulo"),
    ("Rio de Janeiro", -22.907, -43.173, "America/Sao_Paulo"),
)

# The list offered as buttons: a spread of offsets a person is likely to be in.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Paris",
    "Europe/Athens",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
MORE_ZONES = (
    "Europe/Lisbon",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Denver",
    "America/Sao_Paulo",
    "UTC",
)
NEAREST_CITY_MAX_KM = 800
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?00)?$")


@dataclass(frozen=True)
class ZoneChoice:
    zone: str
    city: str | None  # the city it came from; None for a fixed offset


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def zone_for_text(text: str) -> ZoneChoice:
    """A zone from "Paris", "são paulo", "Europe/Paris" or "UTC+2"; InvalidTimezone if none."""
    folded = _fold(text)
    for name, _lat, _lon, zone in CITIES:
        if _fold(name) == folded:
            return ZoneChoice(zone, name)
    if match := _OFFSET.match(folded.replace(" ", "")):
        sign, hours = match.groups()
        if int(hours) > 14:
            raise InvalidTimezone("An offset goes from UTC-12 to UTC+14.")
        # Etc/GMT zones have the POSIX sign: UTC+2 is Etc/GMT-2.
        name = "UTC" if int(hours) == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"
        return ZoneChoice(validate_timezone(name), None)
    return ZoneChoice(validate_timezone(text.strip()), None)


def zone_for_location(latitude: float, longitude: float) -> ZoneChoice:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidTimezone("That location is not on Earth.")
    distance, city, zone = min(
        (_km(latitude, longitude, lat, lon), name, tz) for name, lat, lon, tz in CITIES
    )
    if distance <= NEAREST_CITY_MAX_KM:
        return ZoneChoice(zone, city)
    hours = round(longitude / 15)
    name = "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    return ZoneChoice(name, None)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
