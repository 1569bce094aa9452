"""`trainlytics analyze FILE` as a person uses it."""

import argparse
import json
from pathlib import Path

import pytest

from trainlytics.commands import analyze

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "activities"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="trainlytics")
    analyze.register(parser.add_subparsers())
    args = parser.parse_args(["analyze", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_uses_device_threshold_and_plain_labels(capsys):
    code, out, _ = run_cli(capsys, str(FIXTURES / "cycling_power_outdoor_edge810.fit"))
    assert code == 0
    assert "Weighted power      301 W" in out
    assert "Threshold power     315 W (from the device)" in out
    assert "Load                119." in out and "(from power)" in out
    for trademark in ("NP", "TSS", "IF", "CTL", "ATL", "TSB"):
        assert trademark not in out.split()


def test_given_ftp_wins_over_the_device(capsys):
    code, out, _ = run_cli(
        capsys, str(FIXTURES / "cycling_power_outdoor_edge810.fit"), "--ftp", "250", "--json"
    )
    result = json.loads(out)
    assert code == 0
    assert result["thresholds"]["ftp_w"] == 250 and result["ftp_source"] == "athlete"
    assert result["intensity"] == pytest.approx(301.05 / 250, rel=1e-3)


def test_json_has_the_documented_keys(capsys):
    code, out, _ = run_cli(
        capsys,
        str(FIXTURES / "running_hr_gps_fenix2.fit"),
        "--json",
        "--lthr",
        "170",
        "--max-hr",
        "190",
        "--rest-hr",
        "50",
        "--threshold-pace",
        "4:30",
        "--sex",
        "f",
    )
    result = json.loads(out)
    assert code == 0
    for key in (
        "sport",
        "start",
        "elapsed_s",
        "moving_s",
        "distance_m",
        "avg_hr",
        "avg_power",
        "weighted_power",
        "intensity",
        "load",
        "load_source",
        "zones",
        "power_curve",
    ):
        assert key in result
    assert result["start"] == "2015-08-15T14:45:08Z"
    assert result["sport"] == "run" and result["avg_power"] is None
    assert result["load_source"] == "hr" and result["loads"]["pace_gap"] > 0
    assert result["thresholds"]["sex"] == "f"


def test_multisport_file_prints_a_list(capsys):
    code, out, _ = run_cli(
        capsys, str(FIXTURES / "multisport_run_transition_row_fr935.fit"), "--json"
    )
    assert code == 0
    assert [s["sport"] for s in json.loads(out)] == ["run", "transition", "row"]


@pytest.mark.parametrize("name", ["bad_truncated_eof.fit", "bad_chained_corrupt_header.fit"])
def test_bad_file_exits_1_with_a_readable_message(capsys, name):
    code, out, err = run_cli(capsys, str(FIXTURES / name))
    assert code == 1 and out == ""
    assert name in err and "Traceback" not in err
    assert "export" in err.lower()


def test_missing_file_exits_1(capsys, tmp_path):
    code, _, err = run_cli(capsys, str(tmp_path / "nope.fit"))
    assert code == 1 and "cannot read" in err


def test_inconsistent_heart_rates_are_refused(capsys):
    code, _, err = run_cli(
        capsys, str(FIXTURES / "cycling_hr_only_fr935.fit"), "--rest-hr", "200", "--max-hr", "190"
    )
    assert code == 2 and "resting HR" in err


def test_pace_must_be_minutes_and_seconds(capsys):
    with pytest.raises(SystemExit):
        run_cli(capsys, str(FIXTURES / "running_hr_gps_fenix2.fit"), "--threshold-pace", "4.5")
    assert "MM:SS" in capsys.readouterr().err


def test_command_line_entry_point(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    good = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainlytics",
            "analyze",
            str(FIXTURES / "cycling_power_indoor_trainer.fit"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert "Weighted power" in good.stdout and "(from the device)" in good.stdout
    bad_file = tmp_path / "notes.gpx"
    bad_file.write_bytes(b"this is not xml")
    bad = subprocess.run(
        [sys.executable, "-m", "trainlytics", "analyze", str(bad_file)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "notes.gpx" in bad.stderr
