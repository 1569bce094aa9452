"""Files that cannot be imported fail with one typed error and a sentence a person understands."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from garmin_fit_sdk import Encoder, Profile

from core.files import ActivityFileError, FileProblem, parse_activity_file
from tests.files.conftest import fixture_bytes


def _reason(data: bytes, filename: str | None = None, **kwargs) -> ActivityFileError:
    with pytest.raises(ActivityFileError) as caught:
        parse_activity_file(data, filename, **kwargs)
    message = str(caught.value)
    assert message and "Traceback" not in message and message[0].isupper()
    return caught.value


def test_truncated_fit_says_it_is_cut_short():
    error = _reason(fixture_bytes("bad_truncated_eof.fit"), "bad_truncated_eof.fit")
    assert error.reason is FileProblem.TRUNCATED
    assert "cut short" in str(error)


def test_chained_fit_with_damaged_second_header_is_refused():
    error = _reason(fixture_bytes("bad_chained_corrupt_header.fit"))
    assert error.reason is FileProblem.CORRUPT
    assert "damaged" in str(error) and "chained" in str(error)


def test_empty_upload():
    assert _reason(b"", "ride.fit").reason is FileProblem.EMPTY


def test_oversize_upload_is_refused_before_parsing():
    data = fixture_bytes("cycling_power_outdoor_edge810.fit")
    error = _reason(data, max_bytes=len(data) - 1)
    assert error.reason is FileProblem.TOO_LARGE


def test_random_bytes_are_not_an_activity_file():
    assert _reason(os.urandom(4096), "ride.fit").reason is FileProblem.UNSUPPORTED_FORMAT
    assert _reason(b"%PDF-1.7 ...", "plan.pdf").reason is FileProblem.UNSUPPORTED_FORMAT


def test_fit_with_a_flipped_byte_fails_its_crc():
    data = bytearray(fixture_bytes("running_short_fenix5.fit"))
    data[len(data) // 2] ^= 0xFF
    assert _reason(bytes(data)).reason is FileProblem.CORRUPT


def _fit(*messages: dict) -> bytes:
    encoder = Encoder()
    for message in messages:
        encoder.write_mesg(message)
    return encoder.close()


def test_fit_without_sessions_or_records_is_not_an_activity():
    data = _fit(
        {
            "mesg_num": Profile["mesg_num"]["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "time_created": datetime(2024, 5, 1, tzinfo=UTC),
        }
    )
    assert _reason(data).reason is FileProblem.NOT_AN_ACTIVITY


def test_fit_course_file_is_not_an_activity():
    data = _fit(
        {
            "mesg_num": Profile["mesg_num"]["FILE_ID"],
            "type": "course",
            "manufacturer": "development",
            "time_created": datetime(2024, 5, 1, tzinfo=UTC),
        },
        {
            "mesg_num": Profile["mesg_num"]["RECORD"],
            "timestamp": datetime(2024, 5, 1, tzinfo=UTC),
            "distance": 0.0,
        },
    )
    error = _reason(data)
    assert error.reason is FileProblem.NOT_AN_ACTIVITY and "course" in str(error)


def test_fit_with_records_but_no_session_still_imports():
    t0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC).timestamp()
    records = [
        {
            "mesg_num": Profile["mesg_num"]["RECORD"],
            "timestamp": datetime.fromtimestamp(t0 + i * 2, UTC),
            "heart_rate": 120 + i,
        }
        for i in range(10)
    ]
    data = _fit(
        {
            "mesg_num": Profile["mesg_num"]["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "time_created": datetime(2024, 5, 1, tzinfo=UTC),
        },
        *records,
    )
    [activity] = parse_activity_file(data)
    assert activity.elapsed_s == 18
    assert activity.streams is not None and activity.streams.heart_rate is not None
    assert activity.streams.heart_rate[1] == 120  # held across the 2 s smart-recording gap
    assert activity.max_hr == 129


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&xxe;</name></trk></gpx>
"""


def test_xml_with_entities_is_refused():
    assert _reason(XXE, "ride.gpx").reason is FileProblem.UNSAFE_XML
    tcx = XXE.replace(b"gpx", b"TrainingCenterDatabase")
    assert _reason(tcx, "ride.tcx").reason is FileProblem.UNSAFE_XML


def test_broken_xml_is_corrupt():
    error = _reason(b"<?xml version='1.0'?><gpx><trk><trkseg>", "ride.gpx")
    assert error.reason in (FileProblem.CORRUPT, FileProblem.NOT_AN_ACTIVITY)


def test_other_xml_is_not_an_activity_file():
    assert _reason(b"<html><body>hi</body></html>").reason is FileProblem.UNSUPPORTED_FORMAT


def test_gpx_route_without_times_is_not_an_activity():
    route = b"""<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
    <trk><trkseg><trkpt lat="52.1" lon="4.4"/><trkpt lat="52.2" lon="4.5"/></trkseg></trk></gpx>"""
    assert _reason(route, "route.gpx").reason is FileProblem.NOT_AN_ACTIVITY


def test_tcx_without_activities_is_not_an_activity():
    tcx = b"""<?xml version="1.0"?><TrainingCenterDatabase
    xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities/>
    </TrainingCenterDatabase>"""
    assert _reason(tcx).reason is FileProblem.NOT_AN_ACTIVITY
