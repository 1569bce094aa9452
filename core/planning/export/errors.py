"""Why a workout cannot be written in a format, or a file read as a workout."""

from __future__ import annotations

from core.errors import InvalidInput


class ExportRefused(InvalidInput):
    """The workout cannot be written in this format as it stands (a catalogue key says why)."""

    code = "export_refused"


class WorkoutFileError(InvalidInput):
    """A file offered as a workout is not one the product can read as a plan."""

    code = "workout_file_invalid"
