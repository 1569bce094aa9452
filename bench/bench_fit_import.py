"""FIT import cost against a bare fitdecode iteration over the same bytes.

Target (issue 3): importing the longest fixture costs at most 1.5x iterating it with
fitdecode and doing nothing. Both are measured here, in this process, best of several runs.
Also prints garmin_fit_sdk's bare decode, the decoder the import uses.

Run: .venv/bin/python bench/bench_fit_import.py
"""

from __future__ import annotations

import sys
import timeit
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fitdecode  # noqa: E402
import garmin_fit_sdk  # noqa: E402

from core.files import parse_activity_file  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "activities" / "cycling_hr_gps_coros_pace2.fit"
TARGET = 1.5
REPEAT = 5


def bare_fitdecode(data: bytes) -> None:
    for _frame in fitdecode.FitReader(data):
        pass


def bare_garmin_sdk(data: bytes) -> None:
    garmin_fit_sdk.Decoder(garmin_fit_sdk.Stream.from_byte_array(bytearray(data))).read()


def best_of(func, data: bytes) -> float:
    return min(timeit.repeat(lambda: func(data), number=1, repeat=REPEAT))


def main() -> int:
    # the COROS file warns about its misaligned fields on every fitdecode pass
    warnings.simplefilter("ignore")
    data = FIXTURE.read_bytes()
    parse_activity_file(data)  # warm imports and caches
    baseline = best_of(bare_fitdecode, data)
    sdk = best_of(bare_garmin_sdk, data)
    imported = best_of(parse_activity_file, data)
    ratio = imported / baseline
    print(f"file: {FIXTURE.name} ({len(data) / 1024:.0f} KiB), best of {REPEAT}")
    print(f"bare fitdecode iteration     {baseline * 1000:8.1f} ms  (baseline)")
    print(f"bare garmin_fit_sdk decode   {sdk * 1000:8.1f} ms  ({sdk / baseline:.2f}x)")
    print(f"parse_activity_file (import) {imported * 1000:8.1f} ms  ({ratio:.2f}x)")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"ratio import / bare fitdecode = {ratio:.2f}x, target <= {TARGET}x: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
