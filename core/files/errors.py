"""The one error an activity-file import raises, with a reason code and a sentence for people."""

from __future__ import annotations

from enum import StrEnum


class FileProblem(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    NOT_AN_ACTIVITY = "not_an_activity"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNSAFE_XML = "unsafe_xml"


_MESSAGES = {
    FileProblem.EMPTY: "This file is empty. Try exporting the activity again.",
    FileProblem.TOO_LARGE: (
        "This file is too large to be an activity ({size} MB, the limit is {limit} MB)."
    ),
    FileProblem.TRUNCATED: (
        "This {fmt} file is cut short — it may not have finished uploading. Try exporting it again."
    ),
    FileProblem.CORRUPT: (
        "This {fmt} file is damaged and cannot be read ({detail}). "
        "Try exporting it again from your device or app."
    ),
    FileProblem.NOT_AN_ACTIVITY: (
        "This {fmt} file holds no workout (no sessions or recorded samples). "
        "It may be a course, a settings file or a workout plan."
    ),
    FileProblem.UNSUPPORTED_FORMAT: (
        "This doesn't look like an activity file. Send a .fit, .gpx or .tcx file "
        "exported from your device or app."
    ),
    FileProblem.UNSAFE_XML: (
        "This XML file declares a document type or entities, which activity files never "
        "need, so it was refused for safety."
    ),
}


class ActivityFileError(Exception):
    """An uploaded file could not be turned into activities.

    `reason` is a stable code for programs (logs, metrics, tests); `str(error)` is a sentence
    the bot can show the athlete as it is.
    """

    def __init__(self, reason: FileProblem, message: str | None = None, **details: object):
        self.reason = reason
        self.details = details
        super().__init__(message or _MESSAGES[reason].format(**{"fmt": "activity", **details}))

    @property
    def message(self) -> str:
        return str(self)
