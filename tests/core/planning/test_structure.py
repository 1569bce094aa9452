"""The stored workout structure: today's rows validate as before; the new shapes (nested repeats,
ramps, zones, absolute paces, CSS offsets, cadence) validate or are refused with a code."""

from __future__ import annotations

import pytest

from core.errors import InvalidFields
from core.planning.structure import describe, estimate_load, total_duration_s, validate_structure

# Shapes stored before nested repeats, zones and ramps existed (demo seed, the Slack modal).
OLD = [
    [
        {"kind": "warmup", "duration_s": 900},
        {
            "repeat": 4,
            "steps": [
                {
                    "kind": "interval",
                    "duration_s": 300,
                    "target": {"type": "power", "low": 105, "high": 110},
                },
                {"kind": "recovery", "duration_s": 180},
            ],
        },
        {"kind": "cooldown", "duration_s": 600},
    ],
    [
        {
            "kind": "steady",
            "distance_m": 2000.0,
            "target": {"type": "heart_rate", "unit": "absolute", "low": 140.0, "high": 150.0},
            "note": "keep it smooth",
        }
    ],
    [
        {
            "repeat": 100,
            "steps": [
                {
                    "kind": "interval",
                    "distance_m": 400,
                    "target": {"type": "pace", "unit": "absolute", "low": 240, "high": 250},
                },
                {
                    "kind": "rest",
                    "duration_s": 30,
                    "target": {"type": "rpe", "unit": "absolute", "low": 1, "high": 2},
                },
            ],
        }
    ],
    [
        {
            "kind": "interval",
            "duration_s": 60,
            "target": {"type": "cadence", "unit": "absolute", "low": 90, "high": 100},
        },
        {"kind": "steady", "duration_s": 1200, "target": {"type": "pace", "low": 95, "high": 100}},
    ],
    [{"repeat": 2, "steps": [{"kind": "interval", "duration_s": 60}] * 20}],
]
# What validate_structure returned for them before (the stored canonical form).
OLD_CANONICAL = [
    [
        {"kind": "warmup", "duration_s": 900.0},
        {
            "repeat": 4,
            "steps": [
                {
                    "kind": "interval",
                    "duration_s": 300.0,
                    "target": {"type": "power", "unit": "percent", "low": 105.0, "high": 110.0},
                },
                {"kind": "recovery", "duration_s": 180.0},
            ],
        },
        {"kind": "cooldown", "duration_s": 600.0},
    ],
    [
        {
            "kind": "steady",
            "distance_m": 2000.0,
            "target": {"type": "heart_rate", "unit": "absolute", "low": 140.0, "high": 150.0},
            "note": "keep it smooth",
        }
    ],
    [
        {
            "repeat": 100,
            "steps": [
                {
                    "kind": "interval",
                    "distance_m": 400.0,
                    "target": {"type": "pace", "unit": "absolute", "low": 240.0, "high": 250.0},
                },
                {
                    "kind": "rest",
                    "duration_s": 30.0,
                    "target": {"type": "rpe", "unit": "absolute", "low": 1.0, "high": 2.0},
                },
            ],
        }
    ],
    [
        {
            "kind": "interval",
            "duration_s": 60.0,
            "target": {"type": "cadence", "unit": "absolute", "low": 90.0, "high": 100.0},
        },
        {
            "kind": "steady",
            "duration_s": 1200.0,
            "target": {"type": "pace", "unit": "percent", "low": 95.0, "high": 100.0},
        },
    ],
    [
        {
            "repeat": 2,
            "steps": [
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
                {"kind": "interval", "duration_s": 60.0},
            ],
        }
    ],
]


@pytest.mark.parametrize(("raw", "stored"), list(zip(OLD, OLD_CANONICAL, strict=True)))
def test_rows_stored_before_the_new_shapes_validate_to_the_same_json(raw, stored):
    assert validate_structure(raw) == stored
    assert validate_structure(stored) == stored


def test_a_repeat_inside_a_repeat_counts_its_rounds_in_the_totals():
    structure = validate_structure(
        [
            {"kind": "warmup", "duration_s": 600},
            {
                "repeat": 2,
                "steps": [
                    {
                        "repeat": 3,
                        "steps": [
                            {"kind": "interval", "duration_s": 60},
                            {"kind": "recovery", "duration_s": 60},
                        ],
                    },
                    {"kind": "recovery", "duration_s": 300},
                ],
            },
        ]
    )
    assert total_duration_s(structure) == 600 + 2 * (3 * 120 + 300)
    assert describe(structure)[1] == "2 × (3 × (1 min interval, 1 min recovery), 5 min recovery)"


def test_new_targets_keep_their_meaning_in_the_stored_json():
    raw = [
        {
            "kind": "warmup",
            "duration_s": 600,
            "target": {"type": "power", "low": 50, "high": 75, "ramp": "up"},
        },
        {
            "kind": "steady",
            "duration_s": 3600,
            "target": {"type": "heart_rate", "unit": "zone", "low": 2, "high": 2},
        },
        {
            "kind": "interval",
            "distance_m": 1609.344,
            "target": {"type": "pace", "unit": "absolute", "low": 390, "high": 390, "per": "mi"},
        },
        {
            "kind": "interval",
            "distance_m": 91.44,
            "target": {"type": "pace", "unit": "offset", "low": -3, "high": 5},
        },
        {
            "kind": "interval",
            "duration_s": 240,
            "target": {"type": "power", "unit": "absolute", "low": 260, "high": 260},
            "cadence": {"low": 90, "high": 95},
            "note": "seated",
        },
    ]
    stored = validate_structure(raw)
    assert stored[0]["target"] == {
        "type": "power",
        "unit": "percent",
        "low": 50.0,
        "high": 75.0,
        "ramp": "up",
    }
    assert stored[2]["target"]["per"] == "mi"
    assert stored[3]["target"]["low"] == -3.0
    assert stored[4]["cadence"] == {"low": 90.0, "high": 95.0}
    assert describe(stored) == [
        "10 min warmup @ ramp 50–75% power",
        "60 min steady @ Z2 heart rate",
        "1.60934 km interval @ 6:30/mi",
        "91.44 m interval @ CSS -3–+5 s/100 m",
        "4 min interval @ 260–260 power, 90–95 rpm (seated)",
    ]
    # A zone-2 hour weighs like an endurance hour, not like a threshold hour.
    assert 35 < (estimate_load(stored[1:2], None) or 0) < 50


def _step(**target):
    return [{"kind": "interval", "duration_s": 60, "target": target}]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (_step(type="power", unit="zone", low=2, high=8), "zone_range"),
        (_step(type="power", unit="zone", low=2.5, high=3), "zone_range"),
        (_step(type="rpe", unit="zone", low=2, high=3), "zone_range"),
        (_step(type="pace", unit="offset", low=-90, high=0), "offset_range"),
        (_step(type="power", unit="offset", low=5, high=5), "offset_range"),
        (_step(type="power", unit="absolute", low=250, high=260, per="km"), "pace_per"),
        (_step(type="power", low=60, high=60, ramp="up"), "ramp_range"),
        (_step(type="power", unit="zone", low=1, high=2, ramp="up"), "ramp_range"),
        (_step(type="power", low=0, high=60), "too_small"),
        (_step(type="power", low=900, high=900), "target_percent"),
        (
            [{"kind": "interval", "duration_s": 60, "cadence": {"low": 90, "high": 95}}],
            "cadence_second",
        ),
    ],
)
def test_impossible_targets_are_refused_with_their_code(raw, code):
    with pytest.raises(InvalidFields) as refused:
        validate_structure(raw)
    assert [(p.code, p.step) for p in refused.value.problems] == [(code, "1")]


def test_repeats_nest_three_deep_and_no_deeper():
    def nested(depth):
        block = {"kind": "interval", "duration_s": 30}
        for _ in range(depth):
            block = {"repeat": 2, "steps": [block]}
        return [block]

    assert validate_structure(nested(3))
    with pytest.raises(InvalidFields) as refused:
        validate_structure(nested(4))
    assert [(p.code, p.step) for p in refused.value.problems] == [("too_deep", "1.1.1.1")]


def test_a_mistake_deep_in_a_nested_repeat_is_named_by_its_position():
    raw = [
        {"kind": "warmup", "duration_s": 600},
        {"repeat": 2, "steps": [{"repeat": 3, "steps": [{"kind": "interval", "duration_s": -5}]}]},
    ]
    with pytest.raises(InvalidFields) as refused:
        validate_structure(raw)
    problem = refused.value.problems[0]
    assert (problem.code, problem.step, problem.part) == ("too_small", "2.1.1", "duration")
