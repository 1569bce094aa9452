"""The single entry point: unwrap gzip, sniff the format, check the size, dispatch."""

from __future__ import annotations

import zlib

from core.activities.parsed import ParsedActivity
from core.files.errors import ActivityFileError, FileProblem
from core.files.fit_import import parse_fit
from core.files.gpx_import import parse_gpx
from core.files.sniff import FileFormat, detect_format
from core.files.tcx_import import parse_tcx

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
# Decompressed in slices of this size, so a gzip bomb (a few KB that inflate to GBs)
# stops at the size limit instead of filling memory.
_INFLATE_STEP = 1024 * 1024

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
    _check_size(len(data), max_bytes)
    if data.startswith(_GZIP_MAGIC):  # Strava's bulk export: ride.fit.gz, run.gpx.gz, ...
        data = gunzip(data, max_bytes)
        if filename and filename.lower().endswith(".gz"):
            filename = filename[:-3]
        if not data:
            raise ActivityFileError(FileProblem.EMPTY)
    return _READERS[detect_format(data, filename)](data)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ActivityFileError(
            FileProblem.TOO_LARGE,
            size=f"{size / 1048576:.1f}",
            limit=f"{max_bytes / 1048576:.0f}",
        )


def gunzip(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The content of a gzip file, refused as too large once it passes `max_bytes`.

    zlib rather than `gzip.decompress`: the latter inflates everything before one can look
    at the size. Concatenated members (which `gzip` writes for appends) are read in turn.
    """
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
        pending = rest
        try:
            while pending and not inflater.eof:
                out += inflater.decompress(pending, _INFLATE_STEP)
                _check_size(len(out), max_bytes)
                pending = inflater.unconsumed_tail
            while not inflater.eof:  # output still buffered inside zlib
                chunk = inflater.decompress(b"", _INFLATE_STEP)
                if not chunk:
                    break
                out += chunk
                _check_size(len(out), max_bytes)
        except zlib.error as exc:
            raise ActivityFileError(FileProblem.CORRUPT, fmt="gzip", detail=str(exc)) from exc
        if not inflater.eof:
            raise ActivityFileError(FileProblem.TRUNCATED, fmt="gzip")
        rest = inflater.unused_data
        if rest and not rest.startswith(_GZIP_MAGIC):
            break  # trailing padding after the last member, as some tools write
    return bytes(out)
