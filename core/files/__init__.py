"""Activity file import: FIT, GPX and TCX bytes → `ParsedActivity` (one per sport session)."""

from core.files.errors import ActivityFileError, FileProblem
from core.files.parse import DEFAULT_MAX_BYTES, parse_activity_file

__all__ = ["DEFAULT_MAX_BYTES", "ActivityFileError", "FileProblem", "parse_activity_file"]
