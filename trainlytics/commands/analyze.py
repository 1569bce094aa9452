"""`trainlytics analyze FILE`: the training-load summary of a FIT/GPX/TCX file."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from core.activities.analysis import analyze_bytes
from core.files import ActivityFileError
from core.metrics import MetricsInputError, Thresholds

LABEL_WIDTH = 20


def mm_ss(text: str) -> float:
    """'4:30' → 270 seconds (a pace)."""
    minutes, sep, seconds = text.strip().partition(":")
    try:
        if not sep:
            raise ValueError
        total = int(minutes) * 60 + float(seconds)
        if not 0 <= float(seconds) < 60 or total <= 0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a pace as MM:SS (e.g. 4:30), got {text!r}"
        ) from None
    return total


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="show the training load of a FIT, GPX or TCX file",
        description=(
            "Compute weighted power, intensity, load, zones and the power curve of an "
            "activity file. Without --ftp, the threshold power stored by the device is used."
        ),
    )
    p.add_argument("file", metavar="FILE", type=Path, help="a .fit, .gpx or .tcx file")
    p.add_argument("--ftp", type=positive, metavar="W", help="threshold power (watts)")
    p.add_argument("--lthr", type=positive, metavar="BPM", help="threshold heart rate")
    p.add_argument("--max-hr", type=positive, metavar="BPM", help="maximum heart rate")
    p.add_argument("--rest-hr", type=positive, metavar="BPM", help="resting heart rate")
    p.add_argument(
        "--threshold-pace", type=mm_ss, metavar="MM:SS", help="running threshold pace per km"
    )
    p.add_argument("--css", type=mm_ss, metavar="MM:SS", help="swim threshold pace per 100 m")
    p.add_argument("--sex", choices=("m", "f"), help="for the heart-rate load coefficient")
    p.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        thresholds = Thresholds(
            ftp_w=args.ftp,
            lthr_bpm=args.lthr,
            max_hr_bpm=args.max_hr,
            rest_hr_bpm=args.rest_hr,
            threshold_pace_s_per_km=args.threshold_pace,
            css_s_per_100m=args.css,
            sex=args.sex,
        )
    except MetricsInputError as exc:
        print(f"trainlytics analyze: {exc}", file=sys.stderr)
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"trainlytics analyze: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        sessions = analyze_bytes(data, args.file.name, thresholds)
    except ActivityFileError as exc:
        print(f"trainlytics analyze: {args.file.name}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        payload: Any = sessions[0] if len(sessions) == 1 else sessions
        print(json.dumps(payload, indent=2, allow_nan=False))
    else:
        print("\n\n".join(summary(s, args.file.name) for s in sessions))
    return 0


def summary(s: dict[str, Any], filename: str) -> str:
    """Aligned human-readable lines; trademark-free labels (Weighted power, Intensity, Load)."""
    start = datetime.fromisoformat(s["start"].replace("Z", "+00:00"))
    lines = [f"{filename} — {s['sport'].replace('_', ' ')}, {start:%Y-%m-%d %H:%M} UTC"]

    def row(label: str, value: str | None) -> None:
        if value is not None:
            lines.append(f"  {label:<{LABEL_WIDTH}}{value}")

    row("Elapsed time", _duration(s["elapsed_s"]))
    row("Moving time", _duration(s["moving_s"]))
    row("Distance", _distance(s["distance_m"], swim=s["swim_active_s"] is not None))
    row("Average pace", _pace(s["avg_pace_s_per_km"], "/km"))
    row("Graded pace", _pace(s["graded_pace_s_per_km"], "/km"))
    row("Average power", _num(s["avg_power"], "W"))
    row("Max power", _num(s["max_power"], "W"))
    row("Weighted power", _num(s["weighted_power"], "W"))
    row("Variability index", _num(s["variability_index"], "", 2))
    row("Average HR", _num(s["avg_hr"], "bpm"))
    row("Max HR", _num(s["max_hr"], "bpm"))
    ftp = s["thresholds"]["ftp_w"]
    if ftp is not None:
        origin = " (from the device)" if s["ftp_source"] == "device" else ""
        row("Threshold power", f"{ftp:.0f} W{origin}")
    row("Intensity", _num(s["intensity"], "", 2))
    if s["load"] is not None:
        row("Load", f"{s['load']:.1f} (from {_SOURCE_NAMES.get(s['load_source'], '?')})")
    else:
        row(
            "Load",
            "not available (give thresholds: --ftp, --lthr with --max-hr and --rest-hr, ...)",
        )
    row("TRIMP", _num(s["trimp"], "", 1))
    if s["efficiency_factor"] is not None:
        row("Efficiency factor", f"{s['efficiency_factor']:.2f} {s['efficiency_factor_unit']}")
    row("Aerobic decoupling", _num(s["decoupling_pct"], "%", 1))
    if s["swim_active_s"] is not None:
        row("Swimming time", _duration(s["swim_active_s"]))
        if s["distance_m"] and s["swim_active_s"]:
            row("Average pace", _pace(s["swim_active_s"] / s["distance_m"] * 100, "/100 m"))
        row("Rest time", _duration(s["swim_idle_s"]))
    for kind, title in (("power", "Power zones"), ("hr", "HR zones"), ("pace", "Pace zones")):
        rows = s["zones"].get(kind)
        if rows and any(r["seconds"] for r in rows):
            row(title, "  ".join(f"{r['zone']} {_duration(r['seconds'])}" for r in rows))
    if s["power_curve"]:
        row(
            "Best power",
            "  ".join(f"{_short(p['duration_s'])} {p['watts']:.0f} W" for p in s["power_curve"]),
        )
    if s["best_efforts"]:
        row(
            "Best efforts",
            "  ".join(f"{e['distance']} {_duration(e['time_s'])}" for e in s["best_efforts"]),
        )
    return "\n".join(lines)


_SOURCE_NAMES = {
    "power": "power",
    "hr": "heart rate",
    "pace_gap": "grade-adjusted pace",
    "pace": "pace",
    "swim_pace": "swim pace",
    "rpe": "perceived effort",
}


def _distance(metres: float | None, *, swim: bool) -> str | None:
    if metres is None:
        return None
    return f"{metres:.0f} m" if swim else f"{metres / 1000:.2f} km"


def _num(value: float | None, unit: str, decimals: int = 0) -> str | None:
    if value is None:
        return None
    return f"{value:.{decimals}f} {unit}".rstrip()


def _duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _pace(seconds: float | None, unit: str) -> str | None:
    return None if seconds is None else f"{_duration(seconds)} {unit}"


def _short(duration_s: int) -> str:
    if duration_s < 60:
        return f"{duration_s}s"
    if duration_s < 3600:
        return f"{duration_s // 60}m"
    return f"{duration_s // 3600}h"
