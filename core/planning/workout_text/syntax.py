"""What the reader and the printer of the workout text agree on: the sport families, the
words, the units, and the kinds and target types a step gets when none is written.

Both sides use these rules so that printing leaves out exactly what reading puts back.
"""

from __future__ import annotations

from typing import Literal

from core.activities.parsed import Sport
from core.planning.structure import METRES_PER_MILE, METRES_PER_YARD, StepKind, TargetType

# The sport decides what a bare `m` means and which threshold a bare `%` or `Z2` is of.
Family = Literal["ride", "run", "swim"]

MAX_TEXT = 8000  # characters of one workout's text
MAX_REPEAT = 50  # rounds of one repeat typed in the text (the issue: more than 50 is refused)
MAX_STEPS = 200  # steps written (a repeat's steps count once)
MAX_DONE_STEPS = 1000  # steps done, every round of every repeat counted
MAX_NOTE = 200
MAX_PERCENT = 250.0
# Absolute targets nobody trains at: a typo (2600 W, 15 bpm, 0:20/km) is refused.
MAX_WATTS = 2500.0
HEART_RATE_BPM = (30.0, 250.0)
PACE_S_PER_KM = (60.0, 6000.0)
MAX_RPM = 250.0

SPORT_WORDS: dict[str, str] = {s.value: s.value for s in Sport} | {
    "bike": "ride",
    "cycling": "ride",
    "cycle": "ride",
    "zwift": "virtual_ride",
    "running": "run",
    "trail": "trail_run",
    "swimming": "swim",
    "pool": "swim",
    "open_water": "open_water_swim",
    "ows": "open_water_swim",
    "rowing": "row",
}

KIND_WORDS: dict[str, StepKind] = {
    "warmup": "warmup",
    "warm-up": "warmup",
    "wu": "warmup",
    "cooldown": "cooldown",
    "cool-down": "cooldown",
    "cd": "cooldown",
    "interval": "interval",
    "int": "interval",
    "on": "interval",
    "recovery": "recovery",
    "rec": "recovery",
    "easy": "recovery",
    "off": "recovery",
    "steady": "steady",
    "rest": "rest",
}
# The word the printer writes for each kind (the first in KIND_WORDS).
KIND_WORD: dict[str, str] = {
    "warmup": "warmup",
    "cooldown": "cooldown",
    "interval": "interval",
    "recovery": "recovery",
    "steady": "steady",
    "rest": "rest",
}

# `N%word`: which threshold a percent is of; `Z2 word`: which zones.
PERCENT_WORDS: dict[str, TargetType] = {
    "ftp": "power",
    "power": "power",
    "pwr": "power",
    "hr": "heart_rate",
    "lthr": "heart_rate",
    "pace": "pace",
    "tp": "pace",
    "css": "pace",
    "rpe": "rpe",
    "cadence": "cadence",
}
# `140-150 word`: a plain range of a named quantity (the form the Slack modal stored).
PLAIN_WORDS: dict[str, TargetType] = {
    "power": "power",
    "heart_rate": "heart_rate",
    "hr": "heart_rate",
    "pace": "pace",
    "cadence": "cadence",
    "rpe": "rpe",
}

SECONDS = {"h": 3600.0, "hr": 3600.0, "min": 60.0, "s": 1.0, "sec": 1.0}
METRES = {
    "km": 1000.0,
    "k": 1000.0,
    "mi": METRES_PER_MILE,
    "mile": METRES_PER_MILE,
    "miles": METRES_PER_MILE,
    "mtr": 1.0,
    "yd": METRES_PER_YARD,
}
PER_WORDS = {"km": "km", "k": "km", "mi": "mi", "mile": "mi", "100m": "100m", "100yd": "100yd"}


def family(sport: str | None) -> Family:
    """The family whose rules apply; a workout of no sport (or another) reads like a ride."""
    try:
        found = Sport(sport).family if sport else "ride"
    except ValueError:
        found = "ride"
    if found == "run":
        return "run"
    return "swim" if found == "swim" else "ride"


def bare_m_is_metres(fam: Family, amount: float) -> bool:
    """`m` is minutes on a ride (`4m`), metres in the pool (`50m`); on a run it is metres from
    100 up (`400m`) and minutes below (`15m`): nobody runs a 15-metre step or a 400-minute one."""
    if fam == "swim":
        return True
    return fam == "run" and amount >= 100


def default_type(fam: Family) -> TargetType:
    """What a bare `88%` or `Z2` is of: FTP on a ride, threshold pace on a run, CSS in the pool."""
    return "power" if fam == "ride" else "pace"


def inferred_kind(index: int, count: int, in_repeat: bool, has_repeat: bool) -> StepKind:
    """The kind of a step typed without one, from where it stands.

    In a repeat the first step is the effort and the others recover; in a workout with
    repeats the first step warms up and the last cools down; anything else is steady.
    """
    if in_repeat:
        return "interval" if index == 0 else "recovery"
    if has_repeat and count > 1 and index == 0:
        return "warmup"
    if has_repeat and count > 1 and index == count - 1:
        return "cooldown"
    return "steady"
