"""The one workout language: what a coach types becomes the stored structure, every stored
structure prints back to text that reads as the same structure, and a mistake is refused
with a sentence (English or French) that quotes the part to fix."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.activities.parsed import Sport
from core.demo.seed import DESCRIPTIONS, workout_spec
from core.planning.structure import PACE_PER_M, total_duration_s, validate_structure
from core.planning.workout_text import (
    ParsedWorkout,
    WorkoutTextError,
    parse_workout,
    print_workout,
)
from tests.core.planning.test_structure import OLD_CANONICAL


def _target(type_: str, low: float, high: float | None = None, unit: str = "percent", **more: Any):
    return {"type": type_, "unit": unit, "low": low, "high": low if high is None else high, **more}


def test_the_issues_ride_reads_as_warm_up_intervals_and_cool_down():
    parsed = parse_workout("15m 60-75%hr; 5x(4m 106-120% / 4m 50%); 10m 60%")
    assert parsed == ParsedWorkout(
        None,
        [
            {"kind": "warmup", "duration_s": 900.0, "target": _target("heart_rate", 60, 75)},
            {
                "repeat": 5,
                "steps": [
                    {"kind": "interval", "duration_s": 240.0, "target": _target("power", 106, 120)},
                    {"kind": "recovery", "duration_s": 240.0, "target": _target("power", 50)},
                ],
            },
            {"kind": "cooldown", "duration_s": 600.0, "target": _target("power", 60)},
        ],
    )


def test_a_run_names_its_sport_reads_metres_and_paces_and_rests_between_repeats():
    parsed = parse_workout("run: 2k @ 4:15/km, 6x400m @ 3:30/km r90s, 1k easy")
    assert parsed.sport == "run"
    assert parsed.structure == [
        {
            "kind": "warmup",
            "distance_m": 2000.0,
            "target": _target("pace", 255, unit="absolute", per="km"),
        },
        {
            "repeat": 6,
            "steps": [
                {
                    "kind": "interval",
                    "distance_m": 400.0,
                    "target": _target("pace", 210, unit="absolute", per="km"),
                },
                {"kind": "rest", "duration_s": 90.0},
            ],
        },
        {"kind": "recovery", "distance_m": 1000.0},
    ]


def test_a_swim_set_at_css_plus_five_seconds_with_twenty_seconds_rest():
    parsed = parse_workout("swim: 10x100m @ css+5s r20s")
    assert parsed.structure == [
        {
            "repeat": 10,
            "steps": [
                {
                    "kind": "interval",
                    "distance_m": 100.0,
                    "target": _target("pace", 5, unit="offset"),
                },
                {"kind": "rest", "duration_s": 20.0},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("text", "sport", "step"),
    [
        (
            "3x16min @ 88-94%",
            None,
            {
                "repeat": 3,
                "steps": [
                    {"kind": "interval", "duration_s": 960.0, "target": _target("power", 88, 94)}
                ],
            },
        ),
        (
            "10m ramp 50-75%",
            None,
            {"kind": "steady", "duration_s": 600.0, "target": _target("power", 50, 75, ramp="up")},
        ),
        (
            "10m cooldown ramp 65-45%",
            None,
            {
                "kind": "cooldown",
                "duration_s": 600.0,
                "target": _target("power", 45, 65, ramp="down"),
            },
        ),
        (
            "1h Z2",
            None,
            {"kind": "steady", "duration_s": 3600.0, "target": _target("power", 2, unit="zone")},
        ),
        (
            "45min Z2 hr",
            "run",
            {
                "kind": "steady",
                "duration_s": 2700.0,
                "target": _target("heart_rate", 2, unit="zone"),
            },
        ),
        (
            "20m 260W",
            None,
            {
                "kind": "steady",
                "duration_s": 1200.0,
                "target": _target("power", 260, unit="absolute"),
            },
        ),
        (
            "30m 150bpm",
            None,
            {
                "kind": "steady",
                "duration_s": 1800.0,
                "target": _target("heart_rate", 150, unit="absolute"),
            },
        ),
        (
            "5km 4:00/km",
            "run",
            {
                "kind": "steady",
                "distance_m": 5000.0,
                "target": _target("pace", 240, unit="absolute", per="km"),
            },
        ),
        (
            "3mi 6:30/mi",
            "run",
            {
                "kind": "steady",
                "distance_m": 3 * 1609.344,
                "target": _target("pace", 390, unit="absolute", per="mi"),
            },
        ),
        (
            "400m 1:35-1:40/100m",
            "swim",
            {
                "kind": "steady",
                "distance_m": 400.0,
                "target": _target("pace", 95, 100, unit="absolute", per="100m"),
            },
        ),
        ("500yd easy", "swim", {"kind": "recovery", "distance_m": 500 * 0.9144}),
        (
            "20min 95%",
            "run",
            {"kind": "steady", "duration_s": 1200.0, "target": _target("pace", 95)},
        ),
        (
            "20min 88%ftp",
            "run",
            {"kind": "steady", "duration_s": 1200.0, "target": _target("power", 88)},
        ),
        (
            "1h30m 70% 90rpm",
            None,
            {
                "kind": "steady",
                "duration_s": 5400.0,
                "target": _target("power", 70),
                "cadence": {"low": 90.0, "high": 90.0},
            },
        ),
        (
            "4m30s rpe7",
            None,
            {"kind": "steady", "duration_s": 270.0, "target": _target("rpe", 7, unit="absolute")},
        ),
        (
            '10m 60% "spin, easy; relax"',
            None,
            {
                "kind": "steady",
                "duration_s": 600.0,
                "target": _target("power", 60),
                "note": "spin, easy; relax",
            },
        ),
        (
            "10m 60% “tout en souplesse”",
            None,
            {
                "kind": "steady",
                "duration_s": 600.0,
                "target": _target("power", 60),
                "note": "tout en souplesse",
            },
        ),
        (
            "1,5km 4:10/km",
            "run",
            {
                "kind": "steady",
                "distance_m": 1500.0,
                "target": _target("pace", 250, unit="absolute", per="km"),
            },
        ),
    ],
)
def test_each_kind_of_target_and_extent_is_read(text, sport, step):
    assert parse_workout(text, sport).structure == [step]


def test_repeats_nest_and_count_every_round():
    parsed = parse_workout("10m 55%; 2x(3x(1m 120% / 1m 50%) / 5m 50%); 10m 50%")
    inner = parsed.structure[1]["steps"][0]
    assert inner["repeat"] == 3 and inner["steps"][0]["kind"] == "interval"
    assert parsed.structure[1]["steps"][1]["kind"] == "recovery"
    assert total_duration_s(parsed.structure) == 600 + 2 * (3 * 120 + 300) + 600


# ---------------------------------------------------------------- the round trip

_SPORTS = st.sampled_from([None, "ride", "virtual_ride", "run", "trail_run", "swim", "strength"])
_KINDS = st.sampled_from(["warmup", "interval", "recovery", "cooldown", "steady", "rest"])


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.one_of(
        st.integers(math.ceil(max(low, 1)), math.floor(high)).map(float),
        st.floats(low, high, allow_nan=False, allow_infinity=False, exclude_min=low == 0),
    )


def _range(values: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(values, values).map(lambda pair: (min(pair), max(pair)))


@st.composite
def _targets(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.sampled_from(["percent", "absolute", "pace", "plain_pace", "zone", "offset"]))
    if shape == "percent":
        type_ = draw(st.sampled_from(["power", "heart_rate", "pace", "cadence", "rpe"]))
        low, high = draw(_range(_floats(0.5, 10 if type_ == "rpe" else 250)))
        target = _target(type_, low, high)
    elif shape == "absolute":
        type_, lowest, highest = draw(
            st.sampled_from(
                [("power", 1, 2500), ("heart_rate", 30, 250), ("cadence", 1, 250), ("rpe", 1, 10)]
            )
        )
        low, high = draw(_range(_floats(lowest, highest)))
        target = _target(type_, low, high, unit="absolute")
    elif shape == "pace":
        per = draw(st.sampled_from(list(PACE_PER_M)))
        scale = PACE_PER_M[per] / 1000
        low, high = draw(_range(_floats(60 * scale + 0.01, 6000 * scale - 0.01)))
        target = _target("pace", low, high, unit="absolute", per=per)
    elif shape == "plain_pace":  # an absolute pace stored before paces had a unit
        target = _target("pace", *draw(_range(_floats(1, 900))), unit="absolute")
    elif shape == "zone":
        type_ = draw(st.sampled_from(["power", "heart_rate", "pace"]))
        target = _target(type_, *draw(_range(st.integers(1, 7).map(float))), unit="zone")
    else:
        return _target("pace", *draw(_range(_floats(-60, 60))), unit="offset")
    if shape in ("percent", "absolute", "pace", "plain_pace") and target["low"] < target["high"]:
        ramp = draw(st.sampled_from([None, "up", "down"]))
        if ramp:
            target["ramp"] = ramp
    return target


@st.composite
def _steps(draw: st.DrawFn) -> dict[str, Any]:
    step: dict[str, Any] = {"kind": draw(_KINDS)}
    if draw(st.booleans()):
        step["duration_s"] = draw(_floats(0.001, 24 * 3600))
    else:
        step["distance_m"] = draw(_floats(0.001, 1_000_000))
    if draw(st.booleans()):
        step["target"] = draw(_targets())
        if step["target"]["type"] != "cadence" and draw(st.booleans()):
            low, high = draw(_range(_floats(1, 250)))
            step["cadence"] = {"low": low, "high": high}
    if draw(st.booleans()):
        step["note"] = draw(st.text(st.characters(exclude_categories=["Cs"]), max_size=200))
    return step


def _blocks(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    if depth == 3:
        return _steps()
    return st.one_of(
        _steps(),
        st.fixed_dictionaries(
            {
                "repeat": st.integers(2, 50),
                "steps": st.lists(st.deferred(lambda: _blocks(depth + 1)), min_size=1, max_size=5),
            }
        ),
    )


def _rounds(blocks: list[dict[str, Any]]) -> int:
    return sum(b["repeat"] * _rounds(b["steps"]) if "repeat" in b else 1 for b in blocks)


_WORKOUTS = st.lists(_blocks(0), min_size=1, max_size=8).filter(lambda s: _rounds(s) <= 1000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structure=_WORKOUTS, sport=_SPORTS)
def test_every_structure_prints_to_text_that_reads_back_as_the_same_structure(structure, sport):
    stored = validate_structure(structure)
    text = print_workout(stored, sport)
    assert parse_workout(text, sport).structure == stored, text
    named = print_workout(stored, sport, with_sport=True)
    assert parse_workout(named) == ParsedWorkout(sport, stored), named


def test_rows_stored_before_print_back_and_a_repeat_over_fifty_is_refused_when_typed():
    for stored in OLD_CANONICAL:
        text = print_workout(stored)
        if any(b.get("repeat", 0) > 50 for b in stored):
            with pytest.raises(WorkoutTextError) as refused:
                parse_workout(text)
            assert refused.value.key == "err_steps_text_repeat_too_many"
        else:
            assert parse_workout(text).structure == stored, text


@pytest.mark.parametrize(
    ("sport", "kind"), list(itertools.product([Sport.RIDE, Sport.RUN, Sport.SWIM], DESCRIPTIONS))
)
def test_the_demo_templates_print_and_read_back(sport, kind):
    stored = validate_structure(workout_spec(sport, kind, 60, False, 1.0).structure)
    assert parse_workout(print_workout(stored, sport.value), sport.value).structure == stored


def test_the_printed_text_is_the_short_form_a_coach_types():
    stored = parse_workout(
        "run: 15min wu; 6x(400m 3:30/km / r90s); 3mi 6:30/mi; 10min cd"
    ).structure
    assert print_workout(stored, "run") == "15min; 6x(400m 3:30/km / r90s); 3mi 6:30/mi; 10min"


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "key", "english", "french"),
    [
        (
            "5x(4m 106% / )",
            "err_steps_text_no_extent_recovery",
            "“5x(4m 106% / )”: the recovery step has no duration or distance.",
            "« 5x(4m 106% / ) » : l'étape de récupération n'a ni durée ni distance.",
        ),
        (
            "10m 50%; 4m 900% FTP",
            "err_steps_text_percent_too_high",
            "“4m 900% FTP”: 900 % of a threshold is not a plausible target; at most 250 %.",
            "« 4m 900% FTP » : 900 % d'un seuil n'est pas une cible plausible ; 250 % au plus.",
        ),
        (
            "0 min 50%",
            "err_steps_text_zero",
            "“0 min 50%”: a step lasts longer than zero.",
            "« 0 min 50% » : une étape dure plus que zéro.",
        ),
        (
            "51x(1m 120% / 1m 50%)",
            "err_steps_text_repeat_too_many",
            "“51x(1m 120% / 1m 50%)”: a repeat has at most 50 rounds.",
            "« 51x(1m 120% / 1m 50%) » : une répétition compte au plus 50 tours.",
        ),
        (
            "10m 62,5% fast",
            "err_steps_text_unreadable",
            "“10m 62,5% fast”: I cannot read “fast”.",
            "« 10m 62,5% fast » : je ne sais pas lire « fast ».",
        ),
    ],
)
def test_a_mistake_is_a_sentence_in_the_persons_language_quoting_the_part(
    text, key, english, french
):
    with pytest.raises(WorkoutTextError) as refused:
        parse_workout(text)
    error = refused.value
    assert error.key == key
    assert error.text("en").startswith(english)
    assert error.text("fr").startswith(french)
    assert [p.code for p in error.problems] == [key.removeprefix("err_steps_")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "text_empty"),
        (" ; \n ", "text_empty"),
        ("1x4m", "text_repeat_too_few"),
        ("5x()", "text_repeat_empty"),
        ("5x(4m 106%", "text_unclosed"),
        ("4m 106%)", "text_unopened"),
        ("yoga: 10m", "text_unknown_sport"),
        ("106%", "text_no_extent_steady"),
        ("10m 20m", "text_two_extents"),
        ("10m 50% 260W", "text_two_targets"),
        ("10m 120-106%", "text_target_order"),
        ("10m Z8", "text_zone"),
        ("10m ramp 60%", "text_ramp"),
        ("10m ramp Z2-Z3", "text_ramp"),
        ("10m 2600W", "text_implausible"),
        ("10m 15bpm", "text_implausible"),
        ("run: 1k 0:20/km", "text_implausible"),
        ("10m rpe 12", "text_implausible"),
        ("swim: 100m css+75s", "text_css_offset"),
        ("25h", "text_step_too_long"),
        ("1001km", "text_step_too_far"),
        ('10m "never closed', "text_note_unclosed"),
        ('10m "' + "x" * 201 + '"', "text_note_too_long"),
        ("2x(2x(2x(2x(1m 100%))))", "text_too_deep"),
        ("2x(" + " / ".join(["1m"] * 21) + ")", "text_repeat_too_long"),
        ("; ".join(["1m 50%"] * 51), "text_too_many_blocks"),
        ("; ".join(["20x(" + " / ".join(["1m"] * 11) + ")"] * 20), "text_too_many_steps"),
        ("50x(50x(1m 100% / 1m 50%))", "text_too_many_rounds"),
        ("10m " * 3000, "text_too_long"),
    ],
)
def test_bad_text_is_refused_with_its_own_sentence_and_no_raw_validation_text(text, code):
    with pytest.raises(WorkoutTextError) as refused:
        parse_workout(text)
    assert [p.code for p in refused.value.problems] == [code]
    for locale in ("en", "fr"):
        sentence = refused.value.text(locale)
        assert "pydantic" not in sentence and "Input should" not in sentence
        assert "{" not in sentence
