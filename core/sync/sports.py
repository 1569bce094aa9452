"""Each provider's sport vocabulary mapped onto `core.activities.parsed.Sport`.

Tables follow providers.md (§1.6 Strava, §2.6 Garmin, §3.6 Polar, §4.5 Coros). Where
providers.md says "other" but `Sport` has a dedicated member (rowing, skiing,
virtual rides, trail runs, open-water swims) the dedicated member is used, so the
metrics and plan matching keep the information. Unknown values map to OTHER, never fail.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.activities.parsed import Sport

STRAVA_SPORTS: Mapping[str, Sport] = {
    "Run": Sport.RUN,
    "TrailRun": Sport.TRAIL_RUN,
    "VirtualRun": Sport.RUN,
    "Ride": Sport.RIDE,
    "MountainBikeRide": Sport.RIDE,
    "GravelRide": Sport.RIDE,
    "EBikeRide": Sport.RIDE,
    "EMountainBikeRide": Sport.RIDE,
    "VirtualRide": Sport.VIRTUAL_RIDE,
    "Velomobile": Sport.RIDE,
    "Handcycle": Sport.RIDE,
    "Swim": Sport.SWIM,
    "Walk": Sport.WALK,
    "Hike": Sport.HIKE,
    "WeightTraining": Sport.STRENGTH,
    "Workout": Sport.STRENGTH,
    "Crossfit": Sport.STRENGTH,
    "HighIntensityIntervalTraining": Sport.STRENGTH,
    "Pilates": Sport.STRENGTH,
    "Yoga": Sport.STRENGTH,
    "Elliptical": Sport.STRENGTH,
    "StairStepper": Sport.STRENGTH,
    "VirtualRow": Sport.STRENGTH,
    "Rowing": Sport.ROW,
    "AlpineSki": Sport.SKI,
    "BackcountrySki": Sport.SKI,
    "NordicSki": Sport.SKI,
    "RollerSki": Sport.SKI,
}

GARMIN_SPORTS: Mapping[str, Sport] = {
    **dict.fromkeys(
        [
            "RUNNING",
            "STREET_RUNNING",
            "TRACK_RUNNING",
            "TREADMILL_RUNNING",
            "INDOOR_RUNNING",
            "VIRTUAL_RUN",
            "ULTRA_RUN",
            "OBSTACLE_RUN",
        ],
        Sport.RUN,
    ),
    "TRAIL_RUNNING": Sport.TRAIL_RUN,
    **dict.fromkeys(
        [
            "CYCLING",
            "ROAD_BIKING",
            "MOUNTAIN_BIKING",
            "GRAVEL_CYCLING",
            "INDOOR_CYCLING",
            "CYCLOCROSS",
            "DOWNHILL_BIKING",
            "TRACK_CYCLING",
            "RECUMBENT_CYCLING",
            "BMX",
            "E_BIKE_FITNESS",
            "E_BIKE_MOUNTAIN",
            "ENDURO_MTB",
            "E_ENDURO_MTB",
            "HANDCYCLING",
            "INDOOR_HANDCYCLING",
        ],
        Sport.RIDE,
    ),
    "VIRTUAL_RIDE": Sport.VIRTUAL_RIDE,
    "LAP_SWIMMING": Sport.SWIM,
    "SWIMMING": Sport.SWIM,
    "OPEN_WATER_SWIMMING": Sport.OPEN_WATER_SWIM,
    **dict.fromkeys(["WALKING", "CASUAL_WALKING", "SPEED_WALKING"], Sport.WALK),
    **dict.fromkeys(["HIKING", "RUCKING", "MOUNTAINEERING"], Sport.HIKE),
    **dict.fromkeys(
        [
            "STRENGTH_TRAINING",
            "FITNESS_EQUIPMENT",
            "INDOOR_CARDIO",
            "HIIT",
            "ELLIPTICAL",
            "STAIR_CLIMBING",
            "FLOOR_CLIMBING",
            "INDOOR_ROWING",
            "YOGA",
            "PILATES",
            "JUMP_ROPE",
            "MOBILITY",
            "BOXING",
            "MIXED_MARTIAL_ARTS",
        ],
        Sport.STRENGTH,
    ),
}

POLAR_SPORTS: Mapping[str, Sport] = {
    "RUNNING_TRAIL": Sport.TRAIL_RUN,
    "SWIMMING": Sport.SWIM,
    "SWIMMING_POOL": Sport.SWIM,
    "AQUATICS_SWIMMING": Sport.SWIM,
    "SWIMMING_OPEN_WATER": Sport.OPEN_WATER_SWIM,
    "WALKING": Sport.WALK,
    "WALKING_NORDIC": Sport.WALK,
    "HIKING": Sport.HIKE,
    "MOUNTAINEERING": Sport.HIKE,
    "STRENGTH_TRAINING": Sport.STRENGTH,
    "JUMP_ROPE": Sport.STRENGTH,
}

# Coros `mode` codes are in the partner PDF only; 8 is the one public fixtures confirm.
COROS_MODES: Mapping[int, Sport] = {8: Sport.RUN}


def strava_sport(sport_type: str | None, legacy_type: str | None = None) -> Sport:
    """`sport_type` is authoritative; the deprecated `type` is the fallback."""
    for value in (sport_type, legacy_type):
        if value and value in STRAVA_SPORTS:
            return STRAVA_SPORTS[value]
    return Sport.OTHER


def garmin_sport(activity_type: str | None) -> Sport:
    return GARMIN_SPORTS.get((activity_type or "").upper(), Sport.OTHER)


def polar_sport(detailed_sport_info: str | None, sport: str | None) -> Sport:
    """`detailed_sport_info` first, then `sport`; prefix rules cover Polar's long list."""
    for value in (detailed_sport_info, sport):
        mapped = _polar_one((value or "").upper())
        if mapped is not None:
            return mapped
    return Sport.OTHER


def _polar_one(value: str) -> Sport | None:
    if not value:
        return None
    if value in POLAR_SPORTS:
        return POLAR_SPORTS[value]
    if "RUNNING" in value:
        return Sport.RUN
    if value.startswith("CYCLING") or value == "INDOOR_CYCLING":
        return Sport.RIDE
    if value.startswith("FITNESS_"):
        return Sport.STRENGTH
    return None


def coros_sport(mode: int | str | None) -> Sport:
    try:
        return COROS_MODES.get(int(mode), Sport.OTHER) if mode is not None else Sport.OTHER
    except (TypeError, ValueError):
        return Sport.OTHER
