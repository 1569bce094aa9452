"""Map the sport names of each format onto `Sport`."""

from __future__ import annotations

from core.activities.parsed import Sport

_FIT_SPORT = {
    "cycling": Sport.RIDE,
    "e_biking": Sport.RIDE,
    "running": Sport.RUN,
    "swimming": Sport.SWIM,
    "rowing": Sport.ROW,
    "walking": Sport.WALK,
    "hiking": Sport.HIKE,
    "mountaineering": Sport.HIKE,
    "cross_country_skiing": Sport.SKI,
    "alpine_skiing": Sport.SKI,
    "snowboarding": Sport.SKI,
    "training": Sport.STRENGTH,
    "fitness_equipment": Sport.OTHER,
    "transition": Sport.TRANSITION,
}

_FIT_SUB_SPORT = {
    ("cycling", "virtual_activity"): Sport.VIRTUAL_RIDE,
    ("cycling", "indoor_cycling"): Sport.RIDE,
    ("running", "trail"): Sport.TRAIL_RUN,
    ("running", "virtual_activity"): Sport.RUN,
    ("swimming", "open_water"): Sport.OPEN_WATER_SWIM,
    ("fitness_equipment", "indoor_rowing"): Sport.ROW,
    ("fitness_equipment", "indoor_cycling"): Sport.RIDE,
    ("fitness_equipment", "treadmill"): Sport.RUN,
    ("fitness_equipment", "elliptical"): Sport.OTHER,
    ("training", "strength_training"): Sport.STRENGTH,
}

# Words seen in GPX <type> (Strava, Garmin Connect, Komoot...) and TCX Sport attributes.
_WORDS = {
    "biking": Sport.RIDE,
    "cycling": Sport.RIDE,
    "ride": Sport.RIDE,
    "road_biking": Sport.RIDE,
    "mountain_biking": Sport.RIDE,
    "gravel_cycling": Sport.RIDE,
    "virtualride": Sport.VIRTUAL_RIDE,
    "virtual_ride": Sport.VIRTUAL_RIDE,
    "running": Sport.RUN,
    "run": Sport.RUN,
    "trail_running": Sport.TRAIL_RUN,
    "trailrun": Sport.TRAIL_RUN,
    "swimming": Sport.SWIM,
    "swim": Sport.SWIM,
    "open_water_swimming": Sport.OPEN_WATER_SWIM,
    "rowing": Sport.ROW,
    "walking": Sport.WALK,
    "walk": Sport.WALK,
    "hiking": Sport.HIKE,
    "hike": Sport.HIKE,
}


def sport_from_fit(sport: object, sub_sport: object) -> Sport:
    name = str(sport) if sport is not None else ""
    sub = str(sub_sport) if sub_sport is not None else ""
    return _FIT_SUB_SPORT.get((name, sub)) or _FIT_SPORT.get(name, Sport.OTHER)


def sport_from_word(word: str | None) -> Sport:
    """GPX `<type>` / TCX `Sport` value → Sport; unknown or absent words are OTHER."""
    if not word:
        return Sport.OTHER
    key = word.strip().lower().replace(" ", "_").replace("-", "_")
    return _WORDS.get(key, Sport.OTHER)
