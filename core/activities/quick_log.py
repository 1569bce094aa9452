"""Quick log: a training session told in plain words, read into a manual activity.

"ran 10k in 52 min yesterday rpe 6", "swim 2000m 45min", "strength 40 min",
"vélo 2h 60 km hier", "ran 10 miles in 1:20". The rule is strict on purpose: a sport
and a duration must be stated (a distance alone could be any pace), and anything left
over that looks like a number is refused rather than guessed. English and French words
are understood.

How numbers are read:
- a number followed by a unit is that unit: "60 km" is a distance, never the minutes of
  a duration ("ride 2h 60 km" is 2 h and 60 km; "2h 30" and "2h30min" are 2 h 30);
- `A:BB` is minutes and seconds ("52:30") unless that is impossible: with a distance,
  when the speed would be beyond anyone at the sport ("10 miles in 1:20" is 1 h 20);
  without one, when A is below 10 ("run 1:20" is 1 h 20). `A:BB:CC` is h:mm:ss;
- "52m" is minutes when nothing else gives the duration ("run 52m", "ran 10k 52m"),
  metres when something does ("swim 400m 10 min"); alone, it is metres from 100 on for
  a swim and from 300 on otherwise ("swim 400m" still needs a duration);
- the average speed must be one a person can hold at the sport (`core.activities.plausibility`);
- the day: today unless told ("yesterday", "hier", a weekday, "3 days ago", an ISO
  date). A day in the future ("tomorrow", "demain", "next monday") is refused: a session
  is logged once it is done.

Written with regular expressions rather than a date/NLP library: the grammar is a
handful of tokens, and libraries like dateparser would guess where we must refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeGuard

from core.activities.parsed import Sport
from core.activities.plausibility import max_avg_speed_m_s, too_fast
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

# Units, by what they measure. "m" alone is ambiguous (metres or minutes): see the module
# docstring.
_METRES_PER = {
    **dict.fromkeys(("km", "kms", "k", "kilometer", "kilometers", "kilometre"), 1000.0),
    **dict.fromkeys(("kilometres", "kilomètre", "kilomètres"), 1000.0),
    **dict.fromkeys(("mi", "mile", "miles"), 1609.344),
    **dict.fromkeys(("meter", "meters", "metre", "metres", "mètre", "mètres"), 1.0),
    **dict.fromkeys(("yd", "yds", "yard", "yards"), 0.9144),
}
_HOURS = frozenset(("h", "hr", "hrs", "hour", "hours", "heure", "heures"))
_MINUTES = frozenset(("min", "mins", "minute", "minutes", "mn", "'"))
_SECONDS = frozenset(("s", "sec", "secs", "second", "seconds", "seconde", "secondes", '"'))
_AMBIGUOUS_M = "m"
_UNITS = frozenset((*_METRES_PER, *_HOURS, *_MINUTES, *_SECONDS, _AMBIGUOUS_M))
# Alone, "Nm" is minutes below these values (a 400 m swim is far likelier than 400 min).
_M_AS_MINUTES_BELOW = {"swim": 100.0}
_M_AS_MINUTES_BELOW_DEFAULT = 300.0

_LETTERS = "a-zàâäçéèêëîïôöûùüÿœ"
_TOKEN = re.compile(
    rf"(?P<clock>(?<![\d:])\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?![\d:]))"
    rf"|(?P<num>\d+(?:[.,]\d+)?)"
    rf"|(?P<word>[{_LETTERS}@]+(?:'[{_LETTERS}]+)?)"
    rf"|(?P<mark>['\"])"
)
_UNIT_AFTER = re.compile(rf"\s*([{_LETTERS}]+|['\"])(?![{_LETTERS}])")
_RPE = re.compile(r"(?<!\w)(?:rpe|@)\s*(\d{1,2})(?!\w)")
_ISO_DATE = re.compile(r"(?<!\w)(\d{4}-\d{2}-\d{2})(?!\w)")
_DAYS_AGO = re.compile(r"(?<!\w)(\d)\s*days?\s*ago(?!\w)|(?<!\w)il y a\s*(\d)\s*jours?(?!\w)")
_FUTURE_WORDS = (
    "day after tomorrow",
    "après-demain",
    "après demain",
    "tomorrow",
    "demain",
)
_NEXT_WEEKDAY = re.compile(
    rf"(?<!\w)(?:next\s+({'|'.join(_EN_DAYS)})|({'|'.join(_FR_DAYS)})\s+prochain)(?!\w)"
)
_FILLER = frozenset(
    "in en for pour de of a an the le la un une i did j'ai fait done and et at à on"  # noqa: SIM905
    " last dernier dernière this ce".split()
)


class QuickLogError(InvalidInput):
    """The words did not describe a session clearly.

    `reason` says which part is wrong ("empty", "sport", "duration", "rpe", "day",
    "distance", "speed", "leftover"); `key` names the sentence a door shows (a
    `log_why_<key>` string) and `details` fill it in.
    """

    def __init__(self, reason: str, message: str, *, key: str = "", **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.key = key or reason
        self.details = details


@dataclass(frozen=True)
class QuickLog:
    sport: Sport
    day: date
    duration_s: float
    distance_m: float | None = None
    rpe: int | None = None


def parse_quick_log(text: str, today: date) -> QuickLog:
    """Read `text` into a QuickLog; `today` is the athlete's local date.

    Raises QuickLogError (see its `reason`).
    """
    rest = " " + text.lower().strip().replace("’", "'") + " "
    if not rest.strip():
        raise QuickLogError("empty", "Tell me what you did, e.g. “ran 10k in 52 min”.")

    rpe = None
    if match := _RPE.search(rest):
        rpe = int(match.group(1))
        if not 1 <= rpe <= 10:
            raise QuickLogError("rpe", "RPE goes from 1 (very easy) to 10 (maximal).")
        rest = rest.replace(match.group(0), " ", 1)

    day, rest = _read_day(rest, today)
    words = _read_tokens(rest)
    sport = words.sport
    if sport is None:
        raise QuickLogError("sport", "I could not tell which sport that was.")
    if len(words.durations) + len(words.clocks) > 1 or len(words.distances) > 1:
        raise QuickLogError(
            "leftover",
            "I see more than one duration or distance; I won't guess which is right.",
            key="twice",
        )
    duration_s, distance_m = _resolve(sport, words)
    if duration_s is None:
        raise QuickLogError(
            "duration", "I need how long it took, e.g. “45 min” or “1h30”.", key="duration"
        )
    if not 60 <= duration_s <= 24 * 3600:
        raise QuickLogError(
            "duration", "A session lasts between 1 minute and 24 hours.", key="duration_range"
        )
    if distance_m is not None and not 0 < distance_m <= 1_000_000:
        raise QuickLogError("distance", "That distance is not plausible.")
    if any(any(ch.isdigit() for ch in word) for word in words.leftover):
        said = " ".join(words.leftover)
        raise QuickLogError(
            "leftover", f"I did not understand “{said}”; I won't guess.", words=said
        )
    if too_fast(sport, distance_m, duration_s):
        assert distance_m is not None
        speed = distance_m / duration_s * 3.6
        raise QuickLogError(
            "speed",
            f"That is {speed:.0f} km/h, faster than anyone can go at {sport.value}"
            f" (at most {max_avg_speed_m_s(sport) * 3.6:.0f} km/h). "
            "Check the numbers, e.g. “ran 10k in 52 min”.",
            speed_kmh=round(speed),
            limit_kmh=round(max_avg_speed_m_s(sport) * 3.6),
            sport=sport.value,
        )
    return QuickLog(
        sport=sport, day=day, duration_s=float(duration_s), distance_m=distance_m, rpe=rpe
    )


# --- reading the words -----------------------------------------------------------------


@dataclass
class _Words:
    sport: Sport | None = None
    durations: list[float] = field(default_factory=list)  # seconds, from explicit units
    clocks: list[tuple[int, int, int | None]] = field(default_factory=list)  # A:BB(:CC)
    distances: list[float] = field(default_factory=list)  # metres, from explicit units
    ambiguous_m: list[float] = field(default_factory=list)  # "52m": metres or minutes
    leftover: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Token:
    kind: str  # "clock" | "qty" | "num" | "word"
    text: str
    value: float = 0.0
    unit: str = ""


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _tokens(rest: str) -> list[_Token]:
    """Numbers with their unit (when the next word is a unit), clocks and words."""
    out: list[_Token] = []
    pos = 0
    while match := _TOKEN.search(rest, pos):
        pos = match.end()
        if match.group("clock"):
            out.append(_Token("clock", match.group("clock")))
        elif match.group("num"):
            text = match.group("num")
            unit = _UNIT_AFTER.match(rest, pos)
            if unit and unit.group(1) in _UNITS:
                pos = unit.end()
                out.append(_Token("qty", text + unit.group(1), _number(text), unit.group(1)))
            else:
                out.append(_Token("num", text, _number(text)))
        elif match.group("word"):
            out.append(_Token("word", match.group("word")))
    return out


def _is_whole_below(token: _Token | None, limit: int) -> TypeGuard[_Token]:
    return token is not None and token.value.is_integer() and 0 <= token.value < limit


def _read_tokens(rest: str) -> _Words:
    words = _Words()
    tokens = _tokens(rest)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        i += 1
        if token.kind == "clock":
            parts = [int(x) for x in token.text.split(":")]
            words.clocks.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
        elif token.kind == "qty" and token.unit in _HOURS:
            seconds = token.value * 3600
            # "2h30", "2h 30", "2h30min", "2 h 30 m": the minutes of the same duration. A
            # number with any other unit after it ("2h 60 km") is something else.
            if _is_whole_below(after, 60) and (
                after.kind == "num" or after.unit in _MINUTES | {_AMBIGUOUS_M}
            ):
                seconds += after.value * 60
                i += 1
            words.durations.append(seconds)
        elif token.kind == "qty" and token.unit in _MINUTES:
            seconds = token.value * 60
            if _is_whole_below(after, 60) and (after.kind == "num" or after.unit in _SECONDS):
                seconds += after.value
                i += 1
            words.durations.append(seconds)
        elif token.kind == "qty" and token.unit in _METRES_PER:
            words.distances.append(token.value * _METRES_PER[token.unit])
        elif token.kind == "qty" and token.unit == _AMBIGUOUS_M:
            words.ambiguous_m.append(token.value)
        elif token.kind == "qty" or token.kind == "num":
            words.leftover.append(token.text)  # "30 s" alone, a bare number: not guessed
        elif token.text in _SPORT_WORDS and words.sport is None:
            words.sport = _SPORT_WORDS[token.text]
        elif token.text not in _FILLER:
            words.leftover.append(token.text)
    return words


def _resolve(sport: Sport, words: _Words) -> tuple[float | None, float | None]:
    """The duration (s) and distance (m), once ambiguous "m" and clocks are settled."""
    duration = words.durations[0] if words.durations else None
    distance = words.distances[0] if words.distances else None
    for value in words.ambiguous_m:
        as_minutes = duration is None and not words.clocks
        if as_minutes and distance is None:
            below = _M_AS_MINUTES_BELOW.get(sport.family, _M_AS_MINUTES_BELOW_DEFAULT)
            as_minutes = value < below
        if as_minutes:
            duration = value * 60
        elif distance is None:
            distance = value
        else:
            words.leftover.append(f"{value:g}m")
    if words.clocks:
        duration = _clock_seconds(sport, words.clocks[0], distance)
    return duration, distance


def _clock_seconds(
    sport: Sport, clock: tuple[int, int, int | None], distance: float | None
) -> float:
    a, b, c = clock
    if b > 59 or (c is not None and c > 59):
        raise QuickLogError("duration", "That time does not exist.", key="clock")
    if c is not None:
        return float(a * 3600 + b * 60 + c)
    as_minutes, as_hours = float(a * 60 + b), float(a * 3600 + b * 60)
    if distance is not None:
        # "5k in 22:30" is minutes; "10 miles in 1:20" cannot be 80 seconds.
        fits = not too_fast(sport, distance, as_minutes) and as_minutes >= 60
        return as_minutes if fits else as_hours
    return as_hours if a < 10 else as_minutes


def _read_day(rest: str, today: date) -> tuple[date, str]:
    for word in _FUTURE_WORDS:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", rest):
            raise _future()
    if _NEXT_WEEKDAY.search(rest):
        raise _future()
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
            raise QuickLogError("day", "That date does not exist.", key="no_such_day") from exc
        if day > today:
            raise _future()
        return day, rest.replace(match.group(0), " ", 1)
    for name, weekday in _WEEKDAYS.items():
        if match := re.search(rf"(?<!\w)(last\s+)?{name}(?:\s+derni[eè]re?)?(?!\w)", rest):
            # "monday" is the latest Monday, today included; "last monday" is before today.
            back = (today.weekday() - weekday) % 7
            if back == 0 and (match.group(1) or "derni" in match.group(0)):
                back = 7
            return today - timedelta(days=back), rest.replace(match.group(0), " ", 1)
    return today, rest


def _future() -> QuickLogError:
    return QuickLogError("day", "That day is in the future; log it once it is done.", key="future")
