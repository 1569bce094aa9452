"""Decide what kind of activity file some bytes are, from their content first.

The file name is only a tie-breaker: athletes rename files, and apps send uploads named
"activity" or "file.bin".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from enum import StrEnum

from core.files.errors import ActivityFileError, FileProblem


class FileFormat(StrEnum):
    FIT = "fit"
    GPX = "gpx"
    TCX = "tcx"


_FIT_MAGIC = b".FIT"
# A DOCTYPE is how entity-expansion ("billion laughs") and external-entity attacks get in;
# GPX/TCX never need one, so refusing it is simpler and safer than configuring expat.
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOTS = {"gpx": FileFormat.GPX, "TrainingCenterDatabase": FileFormat.TCX}


def detect_format(data: bytes, filename: str | None = None) -> FileFormat:
    if len(data) >= 12 and data[8:12] == _FIT_MAGIC:
        return FileFormat.FIT
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _xml_format(data)
    if filename and filename.lower().endswith(".fit") and len(data) < 12:
        # Too short to hold even a FIT header, but the athlete meant a FIT file.
        raise ActivityFileError(FileProblem.TRUNCATED, fmt="FIT")
    raise ActivityFileError(FileProblem.UNSUPPORTED_FORMAT)


def reject_unsafe_xml(data: bytes) -> None:
    if _DTD.search(data):
        raise ActivityFileError(FileProblem.UNSAFE_XML)


def _xml_format(data: bytes) -> FileFormat:
    reject_unsafe_xml(data)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    try:
        # Feed only until the root element opens: the format is known from its name.
        for offset in range(0, len(data), 65536):
            parser.feed(data[offset : offset + 65536])
            for event in parser.read_events():
                element = event[-1]
                if not isinstance(element, ET.Element):
                    continue  # only "start" events are asked for: each carries its element
                local = element.tag.rsplit("}", 1)[-1]
                if local in _ROOTS:
                    return _ROOTS[local]
                raise ActivityFileError(FileProblem.UNSUPPORTED_FORMAT)
    except ET.ParseError as exc:
        raise ActivityFileError(FileProblem.CORRUPT, fmt="XML", detail=str(exc)) from exc
    raise ActivityFileError(FileProblem.UNSUPPORTED_FORMAT)
