"""A person's timezone from a shared location or a typed place, without any network call.

- A location: `tzfpy` looks the point up in the real timezone boundaries (the
  timezone-boundary-builder polygons, compiled into the wheel), so Atlanta is
  America/New_York with its daylight saving, Calgary America/Edmonton, Adelaide
  Australia/Adelaide. The nearest known place within `NEAR_KM` in that same zone names it
  in the reply ("near Atlanta"); at sea tzfpy answers the nautical Etc/GMT±N zone.
- A typed place: "Paris", "são paulo", "Londres", "Kyiv" or "Kiev" from
  `core/people/data/places.csv` (capitals and big cities, GeoNames; the most populous place
  wins a shared name), an IANA name ("Europe/Paris") or an offset ("UTC+2").
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tzfpy import get_tz

from core.errors import InvalidTimezone
from core.timeutil import validate_timezone

PLACES_FILE = Path(__file__).parent / "data" / "places.csv"
NEAR_KM = 150  # a place this close names the location in the reply
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?00)?$")


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    zone: str
    population: int


@dataclass(frozen=True)
class ZoneChoice:
    zone: str
    city: str | None  # the place it came from, or that the location is near; None if none


def fold(text: str) -> str:
    """Lower case without accents or extra spaces: "São  Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("-", " ").split())


@cache
def _places() -> tuple[tuple[Place, ...], dict[str, Place]]:
    """All places, and each folded name or alias -> its most populous place."""
    places: list[Place] = []
    by_name: dict[str, Place] = {}
    with PLACES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            place = Place(
                row["name"],
                float(row["latitude"]),
                float(row["longitude"]),
                row["timezone"],
                int(row["population"]),
            )
            places.append(place)
            for name in (row["name"], *filter(None, row["aliases"].split("|"))):
                # The file is sorted by population: the first claim on a name wins.
                by_name.setdefault(fold(name), place)
    return tuple(places), by_name


def zone_for_text(text: str) -> ZoneChoice:
    """A zone from a place name, an IANA name or "UTC+2"; InvalidTimezone if none."""
    folded = fold(text)
    place = _places()[1].get(folded)
    if place is not None:
        return ZoneChoice(validate_timezone(place.zone), place.name)
    if match := _OFFSET.match(folded.replace(" ", "")):
        sign, hours = match.groups()
        if int(hours) > 14:
            raise InvalidTimezone("refuse_offset_goes_utc_12_utc_14")
        # Etc/GMT zones have the POSIX sign: UTC+2 is Etc/GMT-2.
        name = "UTC" if int(hours) == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"
        return ZoneChoice(validate_timezone(name), None)
    return ZoneChoice(validate_timezone(text.strip()), None)


def zone_for_location(latitude: float, longitude: float) -> ZoneChoice:
    """The zone whose boundaries hold the point, and a known place near it, if any."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidTimezone("refuse_location_not_earth")
    zone = validate_timezone(get_tz(longitude, latitude) or "UTC")
    near = [
        (_km(latitude, longitude, p.latitude, p.longitude), p.name)
        for p in _places()[0]
        if p.zone == zone
    ]
    distance, name = min(near, default=(math.inf, None))
    return ZoneChoice(zone, name if distance <= NEAR_KM else None)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
