"""A planned workout as the files devices and trainer apps read: FIT, ZWO, ERG and MRC.

Pure functions from a stored structure (core.planning.structure's JSON) and, where a format
needs absolute values, the athlete's `Thresholds`; and a FIT workout file read back as a plan.
docs/device-files.md gives the formats, their units and sources.
"""

from core.planning.export.errors import ExportRefused, WorkoutFileError
from core.planning.export.fit import ImportedWorkout, fit_workout, read_fit_workout
from core.planning.export.trainer import erg_workout, mrc_workout
from core.planning.export.zwo import zwo_workout

__all__ = [
    "ExportRefused",
    "ImportedWorkout",
    "WorkoutFileError",
    "erg_workout",
    "fit_workout",
    "mrc_workout",
    "read_fit_workout",
    "zwo_workout",
]
