"""Walk the FIT file headers before decoding, so damage is named precisely.

A FIT upload may be several FIT files back to back ("chained"). Each header states how many
bytes follow, so a cut-short upload is known before any decoding, without guessing from a
decoder's error text.
"""

from __future__ import annotations

from core.files.errors import ActivityFileError, FileProblem

_CRC_SIZE = 2
_HEADER_SIZES = (12, 14)


def check_fit_container(data: bytes) -> int:
    """Raise ActivityFileError unless `data` is whole FIT files back to back; return their count.

    A chained file whose later header is damaged is refused as a whole (reason "corrupt"):
    we cannot tell what the damaged part held — often the rest of the same activity — and
    importing only the first part would silently record a shorter, wrong workout.
    """
    pos = 0
    count = 0
    while pos < len(data):
        remaining = len(data) - pos
        header_size = data[pos]
        if remaining < 12:
            raise _damaged(count, "the file ends inside a FIT header")
        if header_size not in _HEADER_SIZES or data[pos + 8 : pos + 12] != b".FIT":
            raise _damaged(count, f"invalid FIT header at byte {pos}")
        data_size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + header_size + data_size + _CRC_SIZE
        if end > len(data):
            raise ActivityFileError(FileProblem.TRUNCATED, fmt="FIT")
        pos = end
        count += 1
    return count


def _damaged(files_before: int, detail: str) -> ActivityFileError:
    if files_before == 0:
        return ActivityFileError(FileProblem.CORRUPT, fmt="FIT", detail=detail)
    return ActivityFileError(
        FileProblem.CORRUPT,
        fmt="FIT",
        detail=f"{detail}, after {files_before} complete part(s) of a chained file",
    )
