"""The single entry point: sniff the format, check the size, dispatch to a reader."""

from __future__ import annotations

from core.activity_data import ParsedActivity
from core.files.errors import ActivityFileError, FileProblem
from core.files.fit_import import parse_fit
from core.files.gpx_import import parse_gpx
from core.files.sniff import FileFormat, detect_format
from core.files.tcx_import import parse_tcx

DEFAULT_MAX_BYTES = 25 * 1024 * 1024

_READERS = {FileFormat.FIT: parse_fit, FileFormat.GPX: parse_gpx, FileFormat.TCX: parse_tcx}


def parse_activity_file(
    data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ParsedActivity]:
    """Parse an uploaded FIT/GPX/TCX file into one `ParsedActivity` per sport session.

    The format is recognised from the content (`filename` is only a hint). Raises
    `ActivityFileError` with a `.reason` code and a message fit to show the athlete.
    """
    if not data:
        raise ActivityFileError(FileProblem.EMPTY)
    if len(data) > max_bytes:
        raise ActivityFileError(
            FileProblem.TOO_LARGE,
            size=f"{len(data) / 1048576:.1f}",
            limit=f"{max_bytes / 1048576:.0f}",
        )
    return _READERS[detect_format(data, filename)](data)
