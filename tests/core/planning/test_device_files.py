"""A planned workout on the device: FIT, ZWO, ERG and MRC files held against the structure.

Every FIT file written here is decoded by garmin-fit-sdk AND by fitdecode (two independent
decoders, fitdecode also checks the CRCs), the two readings must agree field by field, and the
steps are then *run* the way a watch runs them (a repeat step jumps back to the step it names
until its count is done) and compared, step by step, with the structure unrolled by hand.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fitdecode
import garmin_fit_sdk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InvalidFields
from core.metrics import Thresholds
from core.planning.export import (
    ExportRefused,
    WorkoutFileError,
    erg_workout,
    fit_workout,
    mrc_workout,
    read_fit_workout,
    zwo_workout,
)
from core.planning.structure import total_duration_s, validate_structure
from core.planning.workout_text import parse_workout

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CREATED = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)
ATHLETE = Thresholds(ftp_w=250, lthr_bpm=170, max_hr_bpm=190, threshold_pace_s_per_km=240)


def power(low: float, high: float | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "power", "low": low, "high": high if high is not None else low, **extra}


def step(kind: str, seconds: float | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind, **extra}
    if seconds is not None:
        out["duration_s"] = seconds
    return out


# The issue's own example: `15m 60-75%hr; 5x(4m 106-120% / 4m 50%); 10m 60%`.
ISSUE_RIDE = [
    step("warmup", 900, target={"type": "heart_rate", "low": 60, "high": 75}),
    {
        "repeat": 5,
        "steps": [
            step("interval", 240, target=power(106, 120), note="Seated, 95 rpm"),
            step("recovery", 240, target=power(50)),
        ],
    },
    step("cooldown", 600, target=power(60)),
]
# Nested repeats, a ramp, zones, watts and a secondary cadence, all in one ride.
RICH_RIDE = [
    step("warmup", 600, target=power(50, 75, ramp="up")),
    {
        "repeat": 2,
        "steps": [
            {
                "repeat": 3,
                "steps": [
                    step("interval", 30, target=power(300, 320, unit="absolute")),
                    step("recovery", 30, target=power(2, 2, unit="zone")),
                ],
            },
            step("steady", 300, target=power(3, 3, unit="zone"), cadence={"low": 85, "high": 95}),
        ],
    },
    step("cooldown", 300, target=power(45, 65, ramp="down")),
]
RUN = [
    step("warmup", 600, target={"type": "heart_rate", "unit": "zone", "low": 2, "high": 2}),
    {
        "repeat": 6,
        "steps": [
            {
                "kind": "interval",
                "distance_m": 400,
                "target": {
                    "type": "pace",
                    "unit": "absolute",
                    "low": 200,
                    "high": 210,
                    "per": "km",
                },
            },
            step("rest", 90),
        ],
    },
    {"kind": "steady", "distance_m": 1609.344, "target": {"type": "pace", "low": 90, "high": 95}},
    step("cooldown", 300, target={"type": "rpe", "unit": "absolute", "low": 2, "high": 3}),
]
SWIM = [
    {
        "repeat": 10,
        "steps": [
            {
                "kind": "interval",
                "distance_m": 100,
                "target": {"type": "pace", "unit": "offset", "low": 5, "high": 5},
            },
            step("rest", 20),
        ],
    }
]


# --- decoding, twice --------------------------------------------------------------------------


def sdk_messages(data: bytes) -> dict[str, list[dict[str, Any]]]:
    messages, errors = garmin_fit_sdk.Decoder(
        garmin_fit_sdk.Stream.from_byte_array(bytearray(data))
    ).read()
    assert errors == []
    return messages  # type: ignore[return-value]


def fitdecode_steps(data: bytes) -> list[dict[int, Any]]:
    """Each workout_step as {field number: raw value}, read by fitdecode (CRC checked)."""
    steps = []
    with fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "workout_step":
                steps.append(
                    {f.def_num: f.raw_value for f in frame.fields if f.raw_value is not None}
                )
    return steps


# FIT workout_step field numbers (FIT profile, message 27).
INDEX, NAME, DURATION_TYPE, DURATION, TARGET_TYPE, TARGET, LOW, HIGH = 254, 0, 1, 2, 3, 4, 5, 6
INTENSITY, NOTES, SECOND_TYPE, SECOND_LOW, SECOND_HIGH = 7, 8, 19, 21, 22
FIT_NAMES = {
    INDEX: "message_index",
    DURATION: "duration_value",
    TARGET: "target_value",
    LOW: "custom_target_value_low",
    HIGH: "custom_target_value_high",
    SECOND_LOW: "secondary_custom_target_value_low",
    SECOND_HIGH: "secondary_custom_target_value_high",
}


def decoded_steps(data: bytes) -> list[dict[str, Any]]:
    """garmin-fit-sdk's steps, after checking fitdecode reads the same raw numbers."""
    sdk = sdk_messages(data)["workout_step_mesgs"]
    other = fitdecode_steps(data)
    assert len(sdk) == len(other)
    for ours, theirs in zip(sdk, other, strict=True):
        for number, name in FIT_NAMES.items():
            assert ours.get(name) == theirs.get(number), (name, ours, theirs)
    return sdk


def run_like_a_watch(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps in the order a device does them: a repeat step sends it back to the step
    it names until it has been done `repeat_steps` times, then resets (so nesting works)."""
    done: list[dict[str, Any]] = []
    counts: dict[int, int] = {}
    i = 0
    while i < len(steps):
        s = steps[i]
        if s["duration_type"] == "repeat_until_steps_cmplt":
            counts[i] = counts.get(i, 1) + 1
            if counts[i] <= s["repeat_steps"]:
                i = s["duration_step"]
                continue
            del counts[i]
        else:
            done.append(s)
        i += 1
    return done


def unrolled(structure: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for block in structure:
        if "repeat" in block:
            out.extend(unrolled(block["steps"]) * block["repeat"])
        else:
            out.append(block)
    return out


# --- FIT -------------------------------------------------------------------------------------


def test_the_issues_ride_is_on_the_watch_step_by_step_as_planned():
    data = fit_workout(
        ISSUE_RIDE, name="5x4 VO2", sport="ride", created=CREATED, thresholds=ATHLETE
    )
    messages = sdk_messages(data)
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    workout = messages["workout_mesgs"][0]
    assert workout["wkt_name"] == "5x4 VO2"
    assert workout["sport"] == "cycling"
    steps = decoded_steps(data)
    assert workout["num_valid_steps"] == len(steps) == 5

    done = run_like_a_watch(steps)
    planned = unrolled(ISSUE_RIDE)
    assert len(done) == len(planned) == 12
    for device, plan in zip(done, planned, strict=True):
        assert device["duration_type"] == "time"
        assert device["duration_time"] == plan["duration_s"]
    warmup, interval, recovery = done[0], done[1], done[2]
    # % of LTHR has no FIT unit: bpm from LTHR 170, written as 100 + bpm.
    assert warmup["target_type"] == "heart_rate"
    assert (warmup["custom_target_heart_rate_low"], warmup["custom_target_heart_rate_high"]) == (
        100 + 102,
        100 + 128,
    )
    # % FTP is FIT's own unit (0-1000): the device applies its FTP.
    assert interval["target_type"] == "power"
    assert (interval["custom_target_power_low"], interval["custom_target_power_high"]) == (106, 120)
    assert interval["notes"] == "Seated, 95 rpm"
    assert (recovery["custom_target_power_low"], recovery["custom_target_power_high"]) == (50, 50)
    assert [s["intensity"] for s in done[:3]] == ["warmup", "active", "recovery"]
    assert done[-1]["intensity"] == "cooldown"


def test_nested_repeats_ramps_zones_watts_and_cadence_reach_the_watch():
    data = fit_workout(RICH_RIDE, name="Rich", sport="ride", created=CREATED, thresholds=ATHLETE)
    done = run_like_a_watch(decoded_steps(data))
    # The ramp is a staircase of one-minute steps climbing 50 → 75 % over its 10 minutes.
    ramp_up = done[:10]
    assert [s["duration_time"] for s in ramp_up] == [60.0] * 10
    lows = [s["custom_target_power_low"] for s in ramp_up]
    assert lows == sorted(lows)
    assert lows[0] == 50
    assert ramp_up[-1]["custom_target_power_high"] == 75
    # 2 x (3 x (30 s at 300-320 W / 30 s in zone 2) + 5 min zone 3 at 85-95 rpm).
    middle = done[10:-5]
    assert len(middle) == 2 * (3 * 2 + 1)
    work = middle[0]
    assert (work["custom_target_power_low"], work["custom_target_power_high"]) == (1300, 1320)
    assert middle[1]["target_power_zone"] == 2
    assert "custom_target_power_low" not in middle[1]
    steady = middle[6]
    assert steady["duration_time"] == 300
    assert steady["target_power_zone"] == 3
    assert steady["secondary_target_type"] == "cadence"
    assert (
        steady["secondary_custom_target_cadence_low"],
        steady["secondary_custom_target_cadence_high"],
    ) == (85, 95)
    assert [s["duration_time"] for s in middle] == [30, 30] * 3 + [300] + [30, 30] * 3 + [300]
    # The cool-down ramp falls 65 → 45 % over five one-minute pieces.
    ramp_down = done[-5:]
    highs = [s["custom_target_power_high"] for s in ramp_down]
    assert highs == sorted(highs, reverse=True)
    assert (highs[0], ramp_down[-1]["custom_target_power_low"]) == (65, 45)
    total = sum(s["duration_time"] for s in done)
    assert total == total_duration_s(validate_structure(RICH_RIDE))


def test_a_run_carries_distances_paces_as_speeds_and_rpe_in_the_notes():
    data = fit_workout(RUN, name="Track", sport="run", created=CREATED, thresholds=ATHLETE)
    assert sdk_messages(data)["workout_mesgs"][0]["sport"] == "running"
    done = run_like_a_watch(decoded_steps(data))
    assert len(done) == 1 + 12 + 2
    assert done[0]["target_hr_zone"] == 2
    rep = done[1]
    assert rep["duration_type"] == "distance"
    assert rep["duration_distance"] == 400
    # 3:20-3:30 per km is 4.762-5.000 m/s, slow to fast.
    assert rep["custom_target_speed_low"] == pytest.approx(1000 / 210, abs=0.001)
    assert rep["custom_target_speed_high"] == pytest.approx(1000 / 200, abs=0.001)
    assert done[2]["duration_time"] == 90
    assert done[2]["target_type"] == "open"
    mile = done[13]
    assert mile["duration_distance"] == pytest.approx(1609.34)
    # 90-95 % of threshold speed (threshold pace 4:00/km = 4.167 m/s).
    assert mile["custom_target_speed_low"] == pytest.approx(1000 / 240 * 0.90, abs=0.001)
    assert mile["custom_target_speed_high"] == pytest.approx(1000 / 240 * 0.95, abs=0.001)
    cooldown = done[14]
    assert cooldown["target_type"] == "open"
    assert cooldown["notes"] == "RPE 2–3"


def test_a_swim_set_from_css_is_written_as_the_swimmers_speed():
    athlete = Thresholds(css_s_per_100m=95)
    data = fit_workout(SWIM, name="10x100", sport="swim", created=CREATED, thresholds=athlete)
    assert sdk_messages(data)["workout_mesgs"][0]["sport"] == "swimming"
    done = run_like_a_watch(decoded_steps(data))
    assert len(done) == 20
    # CSS + 5 s per 100 m = 1:40 per 100 m = 1 m/s.
    assert done[0]["custom_target_speed_low"] == done[0]["custom_target_speed_high"] == 1.0


def test_a_target_needing_a_missing_threshold_is_refused_in_the_persons_language():
    with pytest.raises(ExportRefused) as refused:
        fit_workout(ISSUE_RIDE, name="x", sport="ride", created=CREATED, thresholds=Thresholds())
    assert refused.value.key == "export_needs_lthr"
    assert "1" in refused.value.text("en")
    assert "/settings" in refused.value.text("fr")
    assert "seuil" in refused.value.text("fr")


def test_step_names_on_the_device_are_in_the_athletes_language():
    data = fit_workout(
        ISSUE_RIDE, name="x", sport="ride", created=CREATED, thresholds=ATHLETE, locale="fr"
    )
    names = [s.get("wkt_step_name") for s in decoded_steps(data)]
    assert names[0] == "Échauffement"
    assert names[-1] == "Retour au calme"


# --- FIT back to a plan ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "structure, sport",
    [(ISSUE_RIDE, "ride"), (RUN[:2], "run"), (RICH_RIDE[1:2], "ride")],
)
def test_a_file_we_write_imports_back_as_the_same_plan(structure, sport):
    data = fit_workout(structure, name="Back", sport=sport, created=CREATED, thresholds=ATHLETE)
    imported = read_fit_workout(data)
    assert (imported.name, imported.sport) == ("Back", sport)
    expected = validate_structure(structure)
    if structure is ISSUE_RIDE:
        # % of LTHR travelled as bpm (FIT has no % of LTHR): 60-75 % of 170.
        expected[0]["target"] = {
            "type": "heart_rate",
            "unit": "absolute",
            "low": 102.0,
            "high": 128.0,
        }
    for block in unrolled(expected):  # FIT's intensity `active` reads back as an interval
        if block["kind"] == "steady":
            block["kind"] = "interval"
    assert unrolled(imported.structure) == unrolled(expected)
    assert imported.structure == validate_structure(imported.structure)


def test_a_garmin_connect_style_workout_file_imports_as_a_plan():
    """tests/fixtures/workouts/MANIFEST.md: written byte by byte from the FIT profile."""
    data = (FIXTURES / "workouts" / "run_intervals_connect_style.fit").read_bytes()
    imported = read_fit_workout(data)
    assert imported.name == "6x400 track"
    assert imported.sport == "run"
    assert imported.structure == [
        {
            "kind": "warmup",
            "duration_s": 600.0,
            "target": {"type": "heart_rate", "unit": "zone", "low": 2.0, "high": 2.0},
        },
        {
            "repeat": 6,
            "steps": [
                {
                    "kind": "interval",
                    "distance_m": 400.0,
                    "target": {
                        "type": "pace",
                        "unit": "absolute",
                        "low": 200.0,
                        "high": 210.0,
                        "per": "km",
                    },
                    "note": "Tall and relaxed",
                },
                {"kind": "rest", "duration_s": 90.0},
            ],
        },
        {
            "kind": "cooldown",
            "distance_m": 1000.0,
            "target": {"type": "heart_rate", "unit": "absolute", "low": 130.0, "high": 145.0},
        },
    ]


def test_the_fit_sdks_example_workout_is_refused_at_the_step_a_plan_cannot_hold():
    """Garmin's example ends its cool-down when heart rate drops below 125 bpm."""
    data = (FIXTURES / "workouts" / "sdk_repeat_steps.fit").read_bytes()
    with pytest.raises(WorkoutFileError) as refused:
        read_fit_workout(data)
    assert refused.value.key == "workout_file_step_unsupported"
    assert refused.value.params["step"] == 5
    assert "Step 5" in refused.value.text("en")
    assert "L’étape 5" in refused.value.text("fr")


def test_percent_of_max_hr_needs_the_athletes_max_hr():
    data = (FIXTURES / "workouts" / "sdk_custom_target_values.fit").read_bytes()
    with pytest.raises(WorkoutFileError) as refused:
        read_fit_workout(data)
    assert refused.value.key == "workout_file_needs_max_hr"
    assert refused.value.params["step"] == 1


@pytest.mark.parametrize(
    "data, key",
    [
        (b"not a fit file at all", "workout_file_not_fit"),
        (
            (FIXTURES / "activities" / "running_short_fenix5.fit").read_bytes(),
            "workout_file_not_a_workout",
        ),
        ((FIXTURES / "activities" / "bad_truncated_eof.fit").read_bytes(), "workout_file_not_fit"),
    ],
)
def test_a_file_that_is_not_a_workout_gets_a_sentence(data, key):
    with pytest.raises(WorkoutFileError) as refused:
        read_fit_workout(data)
    assert refused.value.key == key


def test_a_workout_file_breaking_the_plan_rules_is_refused_by_the_structure():
    assert len(read_fit_workout(_with_blocks(50)).structure) == 50
    with pytest.raises(InvalidFields):  # a plan holds at most 50 blocks
        read_fit_workout(_with_blocks(51))


def _with_blocks(count: int) -> bytes:
    """A FIT workout of `count` top-level steps, one more than a plan may hold when 51."""
    encoder = garmin_fit_sdk.Encoder()
    encoder.on_mesg(0, {"type": "workout", "manufacturer": "development", "product": 0})
    encoder.on_mesg(26, {"wkt_name": "long", "sport": "cycling", "num_valid_steps": count})
    for i in range(count):
        encoder.on_mesg(
            27,
            {
                "message_index": i,
                "duration_type": "time",
                "duration_value": 60_000,
                "target_type": "open",
                "intensity": "active",
            },
        )
    return encoder.close()


# --- ZWO -------------------------------------------------------------------------------------


def zwo(structure: list[dict[str, Any]], sport: str = "ride", **kw: Any) -> ET.Element:
    data = zwo_workout(structure, name=kw.pop("name", "Zwift"), sport=sport, **kw)
    assert data.startswith(b"<?xml")
    return ET.fromstring(data)


def num(element: ET.Element, name: str) -> float:
    value = element.get(name)
    assert value is not None, name
    return float(value)


def part(element: ET.Element, tag: str) -> ET.Element:
    found = element.find(tag)
    assert found is not None, tag
    return found


def seconds_in(workout: ET.Element) -> float:
    total = 0.0
    for e in workout:
        if e.tag == "IntervalsT":
            total += int(num(e, "Repeat")) * (num(e, "OnDuration") + num(e, "OffDuration"))
        else:
            total += num(e, "Duration")
    return total


def test_a_ride_in_zwift_warms_up_intervals_and_rides_free_where_zwift_has_no_target():
    root = zwo(ISSUE_RIDE, name='Ana\'s "5x4" <VO2> & more', thresholds=ATHLETE)
    assert root.findtext("name") == 'Ana\'s "5x4" <VO2> & more'
    assert root.findtext("sportType") == "bike"
    workout = part(root, "workout")
    tags = [e.tag for e in workout]
    assert tags == ["FreeRide", "IntervalsT", "SteadyState"]  # the warm-up is set by HR
    assert part(workout[0], "textevent").get("message") == "Heart rate 102–128 bpm"
    intervals = workout[1]
    assert (intervals.get("Repeat"), intervals.get("OnDuration"), intervals.get("OffDuration")) == (
        "5",
        "240",
        "240",
    )
    assert num(intervals, "OnPower") == pytest.approx(1.13)
    assert (num(intervals, "PowerOnLow"), num(intervals, "PowerOnHigh")) == (1.06, 1.2)
    assert num(intervals, "OffPower") == 0.5
    assert part(intervals, "textevent").get("message") == "Seated, 95 rpm"
    assert num(workout[2], "Power") == 0.6
    assert seconds_in(workout) == total_duration_s(validate_structure(ISSUE_RIDE))


def test_zwift_ramps_nested_repeats_zones_and_watts():
    root = zwo(RICH_RIDE, thresholds=ATHLETE)
    workout = part(root, "workout")
    warmup, cooldown = workout[0], workout[-1]
    assert warmup.tag == "Warmup"
    assert (num(warmup, "PowerLow"), num(warmup, "PowerHigh")) == (0.5, 0.75)
    assert cooldown.tag == "Cooldown"
    assert (num(cooldown, "PowerLow"), num(cooldown, "PowerHigh")) == (0.65, 0.45)
    middle = workout[1:-1]
    # The outer repeat is written out; each inner 3 x (on / off) is an IntervalsT.
    assert [e.tag for e in middle] == ["IntervalsT", "SteadyState"] * 2
    on = middle[0]
    assert on.get("Repeat") == "3"
    assert num(on, "PowerOnLow") == pytest.approx(300 / 250)
    assert num(on, "PowerOnHigh") == pytest.approx(320 / 250)
    # Zone 2 is 56-75 % FTP (core.metrics.zones' Coggan table).
    assert (num(on, "PowerOffLow"), num(on, "PowerOffHigh")) == (0.56, 0.75)
    assert middle[1].get("Cadence") == "90"
    assert seconds_in(workout) == total_duration_s(validate_structure(RICH_RIDE))


def test_a_run_in_zwift_times_its_distances_at_their_pace():
    root = zwo(RUN[1:3], sport="run", thresholds=ATHLETE)
    assert root.findtext("sportType") == "run"
    workout = part(root, "workout")
    # The jog between reps has no target, which IntervalsT cannot hold: written out.
    assert [e.tag for e in workout] == ["SteadyState", "FreeRide"] * 6 + ["SteadyState"]
    rep = workout[0]
    # 400 m at the middle of 4.762-5.0 m/s.
    assert int(num(rep, "Duration")) == round(400 / ((1000 / 210 + 1000 / 200) / 2))
    # Run fractions are of threshold speed (4:00/km): 3:30-3:20 is 1.143-1.2.
    assert num(rep, "PowerLow") == pytest.approx(240 / 210, abs=0.001)
    assert num(rep, "PowerHigh") == pytest.approx(1.2)
    assert workout[1].get("Duration") == "90"
    mile = workout[-1]
    assert (num(mile, "PowerLow"), num(mile, "PowerHigh")) == (0.9, 0.95)
    assert int(num(mile, "Duration")) == round(1609.344 / (1000 / 240 * 0.925))


def test_a_run_with_a_jog_at_pace_is_zwifts_intervals():
    jog = {"type": "pace", "low": 70, "high": 75}
    structure = [{"repeat": 6, "steps": [RUN[1]["steps"][0], step("recovery", 90, target=jog)]}]
    workout = part(zwo(structure, sport="run", thresholds=ATHLETE), "workout")
    assert [e.tag for e in workout] == ["IntervalsT"]
    reps = workout[0]
    assert (reps.get("Repeat"), reps.get("OffDuration")) == ("6", "90")
    assert num(reps, "OffPower") == 0.725


@pytest.mark.parametrize(
    "structure, sport, key",
    [
        (SWIM, "swim", "export_zwo_sport"),
        ([{"kind": "steady", "distance_m": 20000}], "ride", "export_needs_time"),
        ([step("interval", 60, target=power(300, unit="absolute"))], "ride", "export_needs_ftp"),
        ([], "ride", "export_nothing_to_write"),
    ],
)
def test_zwift_refusals(structure, sport, key):
    with pytest.raises(ExportRefused) as refused:
        zwo_workout(structure, name="x", sport=sport)
    assert refused.value.key == key
    assert refused.value.text("fr") != refused.value.text("en")


# --- ERG / MRC -------------------------------------------------------------------------------


def course(text: str) -> tuple[dict[str, str], list[tuple[float, float]], list[str]]:
    lines = text.split("\r\n")
    head = lines[lines.index("[COURSE HEADER]") + 1 : lines.index("[END COURSE HEADER]")]
    header = dict(line.split(" = ", 1) for line in head if " = " in line)
    header["columns"] = next(line for line in head if line.startswith("MINUTES"))
    body = lines[lines.index("[COURSE DATA]") + 1 : lines.index("[END COURSE DATA]")]
    points = [(float(a), float(b)) for a, b in (line.split("\t") for line in body)]
    texts = []
    if "[COURSE TEXT]" in lines:
        texts = lines[lines.index("[COURSE TEXT]") + 1 : lines.index("[END COURSE TEXT]")]
    return header, points, texts


def value_at(points: list[tuple[float, float]], minute: float) -> float:
    """The trainer's target at `minute`: the straight line between the points around it."""
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        if t0 <= minute < t1:
            return v0 + (v1 - v0) * (minute - t0) / (t1 - t0)
    raise AssertionError(minute)


POWER_RIDE = [
    step("warmup", 600, target=power(50, 70)),
    {
        "repeat": 3,
        "steps": [
            step("interval", 480, target=power(88, 94), note="Tempo\tsteady"),
            step("recovery", 120),
        ],
    },
    step("steady", 300, target=power(200, unit="absolute")),
    step("cooldown", 300, target=power(40, 60, ramp="down")),
]


def test_erg_holds_watts_minute_by_minute():
    header, points, texts = course(erg_workout(POWER_RIDE, name="3x8 [tempo]", thresholds=ATHLETE))
    assert header["FTP"] == "250"
    assert header["columns"] == "MINUTES WATTS"
    assert header["DESCRIPTION"] == "3x8 (tempo)"
    assert points[-1][0] * 60 == pytest.approx(total_duration_s(validate_structure(POWER_RIDE)))
    assert value_at(points, 0) == 125  # the warm-up climbs 50 → 70 %
    assert value_at(points, 9.99) == pytest.approx(175, abs=0.2)
    assert value_at(points, 12) == pytest.approx(227.5, abs=0.5)  # 91 %, the middle of 88-94 %
    assert value_at(points, 19) == pytest.approx(0.55 * 250, abs=1)  # untargeted recovery
    assert value_at(points, 42) == 200
    assert value_at(points, 45) == 150  # the cool-down falls 60 → 40 %
    assert value_at(points, 47.5) == 125
    assert value_at(points, 49.99) == pytest.approx(100, abs=0.2)
    assert texts == ["600\tTempo steady\t10", "1200\tTempo steady\t10", "1800\tTempo steady\t10"]


def test_mrc_holds_percent_of_ftp():
    header, points, _ = course(mrc_workout(POWER_RIDE[:2], name="x", thresholds=ATHLETE))
    assert "FTP" not in header
    assert header["columns"] == "MINUTES PERCENT"
    assert value_at(points, 0) == 50
    assert value_at(points, 12) == 91
    assert points[-1][0] == 40


@pytest.mark.parametrize(
    "structure, key",
    [
        (ISSUE_RIDE, "export_power_only"),
        ([{"kind": "steady", "distance_m": 20000, "target": power(70)}], "export_needs_time"),
        (POWER_RIDE[2:3], "export_needs_ftp"),
    ],
)
def test_mrc_refusals(structure, key):
    with pytest.raises(ExportRefused) as refused:
        mrc_workout(structure, name="x")
    assert refused.value.key == key


def test_erg_needs_the_ftp():
    with pytest.raises(ExportRefused) as refused:
        erg_workout(POWER_RIDE, name="x", thresholds=Thresholds())
    assert refused.value.key == "export_erg_needs_ftp"
    assert "MRC" in refused.value.text("fr")


# --- any workout a coach can plan ------------------------------------------------------------

KINDS = st.sampled_from(["warmup", "interval", "recovery", "cooldown", "steady", "rest"])
LEVEL = st.integers(40, 150)


@st.composite
def targets(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from(["none", "percent", "watts", "zone", "bpm", "rpe"]))
    low = draw(LEVEL)
    high = low + draw(st.integers(0, 20))
    if kind == "percent":
        return power(low, high)
    if kind == "watts":
        return power(low * 2, high * 2, unit="absolute")
    if kind == "zone":
        zone = draw(st.integers(1, 7))
        return power(zone, zone, unit="zone")
    if kind == "bpm":
        return {"type": "heart_rate", "unit": "absolute", "low": low + 60, "high": high + 60}
    if kind == "rpe":
        return {"type": "rpe", "unit": "absolute", "low": 3, "high": 4}
    return None


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": draw(KINDS)}
    if draw(st.booleans()):
        out["duration_s"] = draw(st.integers(10, 3600))
    else:
        out["distance_m"] = draw(st.integers(50, 20000))
    target = draw(targets())
    if target is not None:
        out["target"] = target
    return out


def blocks(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    if depth == 0:
        return steps()
    return st.one_of(
        steps(),
        st.builds(
            lambda times, inner: {"repeat": times, "steps": inner},
            st.integers(2, 8),
            st.lists(blocks(depth - 1), min_size=1, max_size=4),
        ),
    )


def fit_raw(target: dict[str, Any] | None) -> tuple[str, int | None, int | None, int | None]:
    """(target_type, zone, custom low, custom high) as the FIT profile says to write it."""
    if target is None or target["type"] == "rpe":
        return ("open", None, None, None)
    if target["type"] == "heart_rate":
        return ("heart_rate", 0, target["low"] + 100, target["high"] + 100)
    if target.get("unit") == "zone":
        return ("power", target["low"], None, None)
    offset = 1000 if target.get("unit") == "absolute" else 0
    return ("power", 0, target["low"] + offset, target["high"] + offset)


@settings(max_examples=60, deadline=None)
@given(st.lists(blocks(2), min_size=1, max_size=8))
def test_any_planned_ride_is_on_the_watch_as_planned_and_reads_back(raw):
    structure = validate_structure(raw)
    data = fit_workout(structure, name="Any", sport="ride", created=CREATED)
    done = run_like_a_watch(decoded_steps(data))
    planned = unrolled(structure)
    assert len(done) == len(planned)
    for device, plan in zip(done, planned, strict=True):
        if "duration_s" in plan:
            assert device["duration_type"] == "time"
            assert device["duration_time"] == plan["duration_s"]
        else:
            assert device["duration_type"] == "distance"
            assert device["duration_distance"] == plan["distance_m"]
        kind, zone, low, high = fit_raw(plan.get("target"))
        assert device["target_type"] == kind
        assert device.get("target_value") == zone
        assert device.get("custom_target_value_low") == low
        assert device.get("custom_target_value_high") == high

    back = read_fit_workout(data)
    expected = unrolled(structure)
    for block in expected:
        if block["kind"] == "steady":
            block["kind"] = "interval"  # FIT's `active`
        if block.get("target", {}).get("type") == "rpe":
            del block["target"]  # RPE travels in the notes
            block["note"] = "RPE 3–4"
    assert unrolled(back.structure) == expected


@st.composite
def timed_power_steps(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": draw(KINDS), "duration_s": draw(st.integers(10, 1800))}
    target = draw(targets())
    if target is not None and target["type"] == "power":
        out["target"] = target
        low, high = target["low"], target["high"]
        if target.get("unit") != "zone" and low != high and draw(st.booleans()):
            out["target"] = {**target, "ramp": draw(st.sampled_from(["up", "down"]))}
    return out


def timed_blocks(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    if depth == 0:
        return timed_power_steps()
    return st.one_of(
        timed_power_steps(),
        st.builds(
            lambda times, inner: {"repeat": times, "steps": inner},
            st.integers(2, 6),
            st.lists(timed_blocks(depth - 1), min_size=1, max_size=3),
        ),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(timed_blocks(2), min_size=1, max_size=8))
def test_any_timed_power_ride_lasts_as_planned_in_zwift_and_on_the_trainer(raw):
    structure = validate_structure(raw)
    total = total_duration_s(structure)
    workout = part(zwo(structure, thresholds=ATHLETE), "workout")
    assert seconds_in(workout) == total
    for element in workout:
        for name in ("Power", "PowerLow", "PowerHigh", "OnPower", "OffPower"):
            if element.get(name) is not None:
                assert 0.3 < num(element, name) < 2.1
    _, points, _ = course(erg_workout(structure, name="x", thresholds=ATHLETE))
    assert points[-1][0] * 60 == pytest.approx(total, abs=0.3)
    assert [t for t, _ in points] == sorted(t for t, _ in points)
    planned = unrolled(structure)
    assert len(points) == 2 * len(planned)
    for (_start, value), plan in zip(points[::2], planned, strict=True):
        target = plan.get("target")
        if target is not None and target.get("unit", "percent") == "percent":
            assert target["low"] * 2.5 - 0.5 <= value <= target["high"] * 2.5 + 0.5


# --- from the text a coach types to the device -----------------------------------------------

ISSUE_TEXTS = [
    "15m 60-75%hr; 5x(4m 106-120% / 4m 50%); 10m 60%",
    "3x16min @ 88-94%",
    "run: 2k @ 4:15/km, 6x400m @ 3:30/km r90s, 1k easy",
    "swim: 10x100m @ css+5s r20s",
    "10m ramp 50-75%; 20m Z2; 3x(2x(30s 300W / 30s 150W) / 5m 6:30/mi)",
]


@pytest.mark.parametrize("text", ISSUE_TEXTS)
def test_the_issues_workout_texts_reach_the_watch_and_come_back(text):
    typed = parse_workout(text, "ride")
    sport = typed.sport or "ride"
    athlete = Thresholds(ftp_w=250, lthr_bpm=170, threshold_pace_s_per_km=240, css_s_per_100m=95)
    data = fit_workout(
        typed.structure, name=text[:20], sport=sport, created=CREATED, thresholds=athlete
    )
    done = run_like_a_watch(decoded_steps(data))
    planned = unrolled(typed.structure)
    ramps = [s for s in planned if s.get("target", {}).get("ramp")]
    assert len(done) == len(planned) + 9 * len(ramps)  # a 10-minute ramp: 10 FIT steps
    seconds = sum(s.get("duration_time", 0) for s in done)
    metres = sum(s.get("duration_distance", 0) for s in done)
    assert seconds == sum(s.get("duration_s", 0) for s in planned)
    assert metres == pytest.approx(sum(s.get("distance_m", 0) for s in planned), abs=0.01)
    back = read_fit_workout(data)
    assert back.sport == sport
    assert len(unrolled(back.structure)) == len(done)
