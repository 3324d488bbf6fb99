"""repair_recording: every way a hard kill or concurrent writes can damage moto's file."""

from __future__ import annotations

import json
from pathlib import Path

from runtime.local.recording import repair_recording


def entry(n: int) -> bytes:
    return json.dumps(
        {"headers": {"X-Amz-Target": f"op{n}"}, "method": "POST", "url": "http://h/", "body": ""}
    ).encode()


def test_a_clean_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "rec.log"
    data = b"".join(entry(n) + b"\n" for n in range(3))
    path.write_bytes(data)
    report = repair_recording(path)
    assert (report.requests, report.changed, report.describe()) == (3, False, "")
    assert path.read_bytes() == data
    assert not list(tmp_path.glob("*.before-repair"))


def test_a_missing_file_has_no_requests(tmp_path: Path) -> None:
    report = repair_recording(tmp_path / "absent.log")
    assert report.requests == 0
    assert not report.changed


def test_a_torn_tail_is_truncated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "rec.log"
    good = entry(1) + b"\n" + entry(2) + b"\n"
    path.write_bytes(good + entry(3)[:20])
    report = repair_recording(path)
    assert report.requests == 2
    assert report.torn_tail_bytes == 20
    assert "torn last line" in report.describe()
    assert path.read_bytes() == good
    assert report.backup is None


def test_a_complete_object_without_its_newline_is_dropped_too(tmp_path: Path) -> None:
    # moto writes the newline before handling the request, so this one never ran.
    path = tmp_path / "rec.log"
    path.write_bytes(entry(1) + b"\n" + entry(2))
    assert repair_recording(path).requests == 1
    assert path.read_bytes() == entry(1) + b"\n"


def test_interleaved_requests_are_split_and_the_original_kept(tmp_path: Path) -> None:
    path = tmp_path / "rec.log"
    original = entry(1) + b"\n" + entry(2) + entry(3) + b"\n\n" + entry(4) + b"\n"
    path.write_bytes(original)
    report = repair_recording(path)
    assert (report.requests, report.split_lines, report.blank_lines) == (4, 1, 1)
    assert path.read_bytes() == b"".join(entry(n) + b"\n" for n in (1, 2, 3, 4))
    assert report.backup is not None
    assert report.backup.read_bytes() == original
    assert "original kept" in report.describe()


def test_junk_glued_to_a_request_is_dropped_and_the_request_kept(tmp_path: Path) -> None:
    # A torn tail that some other tool appended to without repairing first.
    path = tmp_path / "rec.log"
    path.write_bytes(entry(1) + b"\n" + entry(2)[:15] + entry(3) + b"\n" + b"not json\n")
    report = repair_recording(path)
    assert report.requests == 2
    assert report.garbage_bytes == 15 + len(b"not json")
    assert path.read_bytes() == entry(1) + b"\n" + entry(3) + b"\n"
