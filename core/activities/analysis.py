"""Analyse an uploaded activity file: parse it, compute every metric, return JSON-able dicts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.activities.parsed import ParsedActivity
from core.files import parse_activity_file
from core.metrics import Thresholds, compute_activity_metrics


def thresholds_for(activity: ParsedActivity, athlete: Thresholds) -> tuple[Thresholds, str | None]:
    """The athlete's thresholds; without an FTP, the one the recording device was set to.

    Returns the thresholds to use and where the FTP came from ("athlete", "device", None).
    """
    if athlete.ftp_w is not None:
        return athlete, "athlete"
    device_ftp = activity.device_summary.get("threshold_power")
    if device_ftp and device_ftp > 0:
        return replace(athlete, ftp_w=float(device_ftp)), "device"
    return athlete, None


def analyze_activity(activity: ParsedActivity, athlete: Thresholds) -> dict[str, Any]:
    thresholds, ftp_source = thresholds_for(activity, athlete)
    result = compute_activity_metrics(activity, thresholds).to_dict()
    result["ftp_source"] = ftp_source
    result["source_format"] = activity.source_format
    result["sub_sport"] = activity.sub_sport
    result["name"] = activity.name
    result["max_speed"] = activity.max_speed
    result["elevation_gain_m"] = activity.elevation_gain_m
    result["device_summary"] = dict(activity.device_summary)
    return result


def analyze_bytes(
    data: bytes, filename: str | None, thresholds: Thresholds
) -> list[dict[str, Any]]:
    """One dict per sport session in the file (several for a multisport recording).

    Raises `core.files.ActivityFileError` (with a message for people) for a bad file.
    """
    return [analyze_activity(a, thresholds) for a in parse_activity_file(data, filename)]
