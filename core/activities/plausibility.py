"""Could a person have done this session? One rule for files, syncs and manual entries.

Every recording path (`core.activities.ingest.recording`, which files, provider syncs and
`/log` all go through) calls `check_activity` before anything is stored, and `/log` asks
`too_fast` while it reads the words. A session outside the limits is refused with an
`ImplausibleActivity` whose `reason` and `details` let each door say it in the person's
language; the sync drops it with a log line instead of retrying it.

The limits are generous on purpose: they stop broken devices, forged summaries and typos
(HR 900, 1,000 km/h, a clock at 1970 or 2100), never a real performance.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np

from core.activities.parsed import ParsedActivity, Sport
from core.errors import InvalidInput

# Before 1990 there were no consumer recording devices; a start that early is a reset
# device clock (FIT's epoch is 1989-12-31, Unix's 1970-01-01), not history.
EARLIEST_DAY = date(1990, 1, 1)
# A device clock a few hours ahead of the server (or a timezone slip) is not a forgery.
FUTURE_SLACK = timedelta(days=1)
# The longest single recordings people make: 100-mile trails and 24-hour races (UTMB's
# cut-off is 46 h 30); longer means a recording left running or a forged summary.
MAX_DURATION_S = 48 * 3600.0
# Heart rate outside this range is a sensor fault or a forgery (world records: ~25 at
# rest, ~220 at maximum).
HR_BPM = (20.0, 250.0)
# Average power beyond this for a whole session does not exist; peaks above the second
# figure are beyond track sprinters (~2,500 W).
MAX_AVG_POWER_W = 2000.0
MAX_PEAK_POWER_W = 4000.0
# Fastest average speed over a whole session, m/s, by sport family. Each is above the
# world's best for a session of any length (run 25 km/h, walk 16 km/h, ride 72 km/h,
# swim 11 km/h, row 25 km/h); downhill skiing and anything else get a vehicle-like cap.
MAX_AVG_SPEED_M_S: dict[str, float] = {
    "run": 7.0,
    "walk": 4.5,
    "ride": 20.0,
    "swim": 3.0,
    "row": 7.0,
    "ski": 40.0,
}
DEFAULT_MAX_AVG_SPEED_M_S = 40.0


class ImplausibleActivity(InvalidInput):
    """A session no person could have done; `reason` is a stable code, `details` its values.

    Reasons: "too_old", "in_future", "too_long", "too_fast", "heart_rate", "power",
    "bad_number". `str(error)` is an English sentence (logs, machine doors).
    """

    def __init__(self, reason: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


def max_avg_speed_m_s(sport: Sport | str) -> float:
    """The fastest whole-session average speed accepted for `sport`."""
    try:
        family = Sport(sport).family
    except ValueError:
        family = str(sport)
    return MAX_AVG_SPEED_M_S.get(family, DEFAULT_MAX_AVG_SPEED_M_S)


def too_fast(sport: Sport | str, distance_m: float | None, duration_s: float | None) -> bool:
    """True when covering `distance_m` in `duration_s` is beyond anyone at `sport`."""
    if not distance_m or not duration_s or duration_s <= 0:
        return False
    return distance_m / duration_s > max_avg_speed_m_s(sport)


def check_activity(parsed: ParsedActivity, now: datetime) -> None:
    """Raise `ImplausibleActivity` unless the session is one a person could have done."""
    _check_numbers(parsed)
    _check_date(parsed.start, now)
    longest = max(float(parsed.elapsed_s), float(parsed.moving_s))
    if longest > MAX_DURATION_S:
        raise ImplausibleActivity(
            "too_long",
            f"A session of {longest / 3600:.0f} h is longer than anyone records "
            f"(at most {MAX_DURATION_S / 3600:.0f} h).",
            hours=round(longest / 3600),
            limit=round(MAX_DURATION_S / 3600),
        )
    duration = float(parsed.moving_s or parsed.elapsed_s)
    if too_fast(parsed.sport, parsed.distance_m, duration):
        assert parsed.distance_m is not None
        _refuse_speed(parsed.sport, parsed.distance_m / duration)
    _check_heart_rate(parsed)
    _check_power(parsed)


def _check_numbers(parsed: ParsedActivity) -> None:
    for name in ("elapsed_s", "moving_s", "distance_m"):
        value = getattr(parsed, name)
        if value is not None and not (math.isfinite(float(value)) and float(value) >= 0):
            raise ImplausibleActivity(
                "bad_number", f"The session's {name.replace('_', ' ')} is not a real number."
            )


def _check_date(start: datetime, now: datetime) -> None:
    start_utc = start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC)
    if start_utc.date() < EARLIEST_DAY:
        raise ImplausibleActivity(
            "too_old",
            f"The session is dated {start_utc.date().isoformat()}, before "
            f"{EARLIEST_DAY.year}: the device's clock was probably not set.",
            day=start_utc.date(),
            earliest=EARLIEST_DAY.year,
        )
    if start_utc > now + FUTURE_SLACK:
        raise ImplausibleActivity(
            "in_future",
            f"The session is dated {start_utc.date().isoformat()}, in the future: "
            "the device's clock is probably wrong.",
            day=start_utc.date(),
        )


def _refuse_speed(sport: Sport | str, speed_m_s: float) -> None:
    raise ImplausibleActivity(
        "too_fast",
        f"An average of {speed_m_s * 3.6:.0f} km/h is faster than anyone can go at "
        f"{Sport(sport).value.replace('_', ' ')} (at most {max_avg_speed_m_s(sport) * 3.6:.0f}"
        " km/h).",
        sport=Sport(sport).value,
        speed_kmh=round(speed_m_s * 3.6),
        limit_kmh=round(max_avg_speed_m_s(sport) * 3.6),
    )


def _peak(values: np.ndarray | None) -> float | None:
    if values is None or not len(values):
        return None
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else None


def _check_heart_rate(parsed: ParsedActivity) -> None:
    streams = parsed.streams
    stream_peak = _peak(streams.heart_rate) if streams is not None else None
    low, high = HR_BPM
    for value in (parsed.avg_hr, parsed.max_hr, stream_peak):
        # 0 is how some devices write "no sensor"; below `low` but not a heart rate at all.
        if value is not None and value > 0 and not low <= value <= high:
            raise ImplausibleActivity(
                "heart_rate",
                f"A heart rate of {value:.0f} bpm is not a human one ({low:.0f}–{high:.0f} bpm).",
                bpm=round(value),
                low=round(low),
                high=round(high),
            )


def _check_power(parsed: ParsedActivity) -> None:
    streams = parsed.streams
    stream_peak = _peak(streams.power) if streams is not None else None
    for value, limit in (
        (parsed.avg_power, MAX_AVG_POWER_W),
        (parsed.max_power, MAX_PEAK_POWER_W),
        (stream_peak, MAX_PEAK_POWER_W),
    ):
        if value is not None and value > limit:
            raise ImplausibleActivity(
                "power",
                f"A power of {value:.0f} W is beyond any rider (at most {limit:.0f} W).",
                watts=round(value),
                limit=round(limit),
            )
