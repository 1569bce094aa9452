"""Quick log: a training session told in plain words, read into a manual activity.

"ran 10k in 52 min yesterday rpe 6", "swim 2000m 45min", "strength 40 min",
"vélo 1h30 hier". The rule is strict on purpose: a sport and a duration must be stated
(a distance alone could be any pace), and anything left over that looks like a number
is refused rather than guessed. English and French words are understood.

Written with regular expressions rather than a date/NLP library: the grammar is a
handful of tokens, and libraries like dateparser would guess where we must refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.activity_data import Sport
from core.errors import InvalidInput

_SPORT_WORDS: dict[str, Sport] = {}
for _sport, _words in {
    Sport.RUN: "run ran runs running jog jogged jogging course couru courir footing",
    Sport.TRAIL_RUN: "trail",
    Sport.RIDE: "ride rode riding bike biked biking cycle cycled cycling vélo velo",
    Sport.VIRTUAL_RIDE: "zwift turbo",
    Sport.SWIM: "swim swam swimming natation nage nagé nager",
    Sport.ROW: "row rowed rowing aviron",
    Sport.WALK: "walk walked walking marche",
    Sport.HIKE: "hike hiked hiking randonnée rando",
    Sport.SKI: "ski skied skiing",
    Sport.STRENGTH: "strength gym weights lifting muscu musculation renfo renforcement",
}.items():
    for _word in _words.split():
        _SPORT_WORDS[_word] = _sport

_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAYS = {name: i for days in (_EN_DAYS, _FR_DAYS) for i, name in enumerate(days)}

_DISTANCE = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*(km|k|kms|kilometers?|kilomètres?|m|meters?|mètres?|mi|miles?)(?!\w)"
)
_HMS = re.compile(r"(?<![\w:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\w:])")
_HOURS_MIN = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*h(?:ours?|rs?|eures?)?\s*(\d{1,2})?(?:\s*min)?(?!\w)"
)
_MINUTES = re.compile(r"(?<![\w.])(\d+)\s*(?:min|mins|minutes?|mn|')(?!\w)")
_RPE = re.compile(r"(?<!\w)(?:rpe|@)\s*(\d{1,2})(?!\w)")
_ISO_DATE = re.compile(r"(?<!\w)(\d{4}-\d{2}-\d{2})(?!\w)")
_DAYS_AGO = re.compile(r"(?<!\w)(\d)\s*days?\s*ago(?!\w)|(?<!\w)il y a\s*(\d)\s*jours?(?!\w)")
_FILLER = frozenset(
    "in en for pour de of a an the le la un une i did j'ai fait done and et at à".split()  # noqa: SIM905
)


class QuickLogError(InvalidInput):
    """The words did not describe a session clearly; `reason` says which part is missing."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class QuickLog:
    sport: Sport
    day: date
    duration_s: float
    distance_m: float | None = None
    rpe: int | None = None


def parse_quick_log(text: str, today: date) -> QuickLog:
    """Read `text` into a QuickLog; `today` is the athlete's local date.

    Raises QuickLogError with reason "empty", "sport", "duration", "rpe", "day",
    "distance" or "leftover".
    """
    rest = f" {text.lower().strip()} "
    if not rest.strip():
        raise QuickLogError("empty", "Tell me what you did, e.g. “ran 10k in 52 min”.")

    rpe = None
    if match := _RPE.search(rest):
        rpe = int(match.group(1))
        if not 1 <= rpe <= 10:
            raise QuickLogError("rpe", "RPE goes from 1 (very easy) to 10 (maximal).")
        rest = rest.replace(match.group(0), " ", 1)

    day, rest = _read_day(rest, today)

    duration_s = None
    if match := _HMS.search(rest):
        h_or_m, m_or_s, s = match.groups()
        duration_s = (
            int(h_or_m) * 3600 + int(m_or_s) * 60 + int(s)
            if s is not None
            else int(h_or_m) * 60 + int(m_or_s)  # "52:30" is minutes and seconds
        )
        rest = rest.replace(match.group(0), " ", 1)
    elif match := _HOURS_MIN.search(rest):
        hours = float(match.group(1).replace(",", "."))
        duration_s = hours * 3600 + int(match.group(2) or 0) * 60
        rest = rest.replace(match.group(0), " ", 1)
    elif match := _MINUTES.search(rest):
        duration_s = int(match.group(1)) * 60
        rest = rest.replace(match.group(0), " ", 1)

    distance_m = None
    if match := _DISTANCE.search(rest):
        value = float(match.group(1).replace(",", "."))
        unit = match.group(2)
        factor = 1.0 if unit.startswith(("m", "mè")) and not unit.startswith("mi") else 1000.0
        if unit.startswith("mi"):
            factor = 1609.344
        distance_m = value * factor
        rest = rest.replace(match.group(0), " ", 1)

    sport = None
    words = re.findall(r"[\w'éèàç]+", rest)
    leftover = []
    for word in words:
        if word in _SPORT_WORDS and sport is None:
            sport = _SPORT_WORDS[word]
        elif word not in _FILLER:
            leftover.append(word)
    if sport is None:
        raise QuickLogError("sport", "I could not tell which sport that was.")
    if duration_s is None:
        raise QuickLogError("duration", "I need how long it took, e.g. “45 min” or “1h30”.")
    if not 60 <= duration_s <= 24 * 3600:
        raise QuickLogError("duration", "A session lasts between 1 minute and 24 hours.")
    if distance_m is not None and not 0 < distance_m <= 1_000_000:
        raise QuickLogError("distance", "That distance is not plausible.")
    if any(any(ch.isdigit() for ch in word) for word in leftover):
        raise QuickLogError(
            "leftover", f"I did not understand “{' '.join(leftover)}”; I won't guess."
        )
    return QuickLog(
        sport=sport, day=day, duration_s=float(duration_s), distance_m=distance_m, rpe=rpe
    )


def _read_day(rest: str, today: date) -> tuple[date, str]:
    for words, delta in (
        (("day before yesterday", "avant-hier", "avant hier"), 2),
        (("yesterday", "hier"), 1),
        (("today", "aujourd'hui", "this morning", "ce matin", "tonight", "ce soir"), 0),
    ):
        for word in words:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", rest):
                return today - timedelta(days=delta), rest.replace(word, " ", 1)
    if match := _DAYS_AGO.search(rest):
        days = int(match.group(1) or match.group(2))
        return today - timedelta(days=days), rest.replace(match.group(0), " ", 1)
    if match := _ISO_DATE.search(rest):
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError as exc:
            raise QuickLogError("day", "That date does not exist.") from exc
        if day > today:
            raise QuickLogError("day", "That day is in the future; log it once it is done.")
        return day, rest.replace(match.group(0), " ", 1)
    for name, weekday in _WEEKDAYS.items():
        if re.search(rf"(?<!\w)(?:last\s+)?{name}(?!\w)", rest):
            back = (today.weekday() - weekday) % 7 or 7
            return today - timedelta(days=back), re.sub(rf"(?:last\s+)?{name}", " ", rest, count=1)
    return today, rest
