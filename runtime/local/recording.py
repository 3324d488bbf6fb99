"""Make moto's request recording safe to replay after hard kills and concurrent writes.

moto appends one JSON object per request to the recording: it opens the file, writes
``json.dumps(entry)`` and then a newline, closes it, and only THEN handles the request.
Two ways that file goes bad:

* a ``kill -9`` between the object and its newline, or inside a large write, leaves an
  unterminated last line. That request had not been handled yet (its newline comes
  before handling), so dropping the tail is exactly the state the client saw.
* concurrent requests bigger than Python's 8 KiB write buffer interleave (seen here with
  four threads writing 100 KB items: 7 of 121 lines held two requests, each followed by a
  blank line), because the object and its newline are separate ``write()`` calls.

The restore (runtime.local.journal) stops at the first line that is not JSON (state not
restored), so the file is repaired before every restore.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# json.dumps puts "headers" first in every moto entry, "snapshot" first in every snapshot
# line (runtime.local.snapshot): where to resynchronise after junk.
_ENTRY_STARTS = ('{"headers"', '{"snapshot"')
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class RepairReport:
    """What ``repair_recording`` found and did, for a one-line message."""

    requests: int
    torn_tail_bytes: int = 0
    split_lines: int = 0
    blank_lines: int = 0
    garbage_bytes: int = 0
    backup: Path | None = None

    @property
    def changed(self) -> bool:
        """True when the file on disk was modified."""
        return bool(
            self.torn_tail_bytes or self.split_lines or self.blank_lines or self.garbage_bytes
        )

    def describe(self) -> str:
        """One line saying what was repaired (empty when nothing was)."""
        parts = []
        if self.torn_tail_bytes:
            parts.append(
                f"dropped a torn last line ({self.torn_tail_bytes} bytes: a request cut off "
                "by a hard kill before moto handled it)"
            )
        if self.split_lines:
            parts.append(f"split {self.split_lines} line(s) holding several requests")
        if self.blank_lines:
            parts.append(f"removed {self.blank_lines} blank line(s)")
        if self.garbage_bytes:
            parts.append(f"dropped {self.garbage_bytes} bytes that were not requests")
        if not parts:
            return ""
        backup = f"; original kept as {self.backup}" if self.backup else ""
        return "repaired the AWS recording: " + ", ".join(parts) + backup


def is_entry(value: Any) -> bool:
    """True for a recorded request (these keys are indexed without checks) or snapshot line."""
    if isinstance(value, dict) and isinstance(value.get("snapshot"), str):
        return True
    return (
        isinstance(value, dict)
        and isinstance(value.get("method"), str)
        and isinstance(value.get("url"), str)
        and isinstance(value.get("headers"), dict)
    )


def _split_line(text: str) -> tuple[list[str], int]:
    """Pull every complete entry out of one line; return them and the junk byte count."""
    entries: list[str] = []
    garbage = 0
    pos = 0
    while pos < len(text):
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except ValueError:
            value, end = None, pos
        if end > pos and is_entry(value):
            entries.append(text[pos:end])
            pos = end
            continue
        found = [at for start in _ENTRY_STARTS if (at := text.find(start, pos + 1)) != -1]
        stop = min(found) if found else len(text)
        garbage += len(text[pos:stop].strip())
        pos = stop
    return entries, garbage


def _parse(body: bytes) -> tuple[list[bytes], int, int, int]:
    """Return (good lines, lines split, blank lines, junk bytes) for newline-terminated data."""
    lines: list[bytes] = []
    split = blank = garbage = 0
    for raw in body.split(b"\n")[:-1]:
        if not raw.strip():
            blank += 1
            continue
        try:
            if is_entry(json.loads(raw)):
                lines.append(raw)
                continue
        except ValueError:
            pass
        entries, junk = _split_line(raw.decode("utf-8", errors="replace"))
        lines.extend(entry.encode() for entry in entries)
        split += 1
        garbage += junk
    return lines, split, blank, garbage


def repair_recording(path: Path) -> RepairReport:
    """Make ``path`` a clean one-request-per-line file; a no-op when it already is.

    Must run while no moto process is writing the file. A torn tail alone is cut off in
    place; anything else rewrites the file atomically and keeps the original next to it
    as ``<name>.before-repair``.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return RepairReport(requests=0)
    end = data.rfind(b"\n") + 1
    torn = len(data) - end
    lines, split, blank, garbage = _parse(data[:end])
    if not (split or blank or garbage):
        if torn:
            os.truncate(path, end)
        return RepairReport(requests=len(lines), torn_tail_bytes=torn)
    backup = path.with_name(path.name + ".before-repair")
    backup.write_bytes(data)
    staging = path.with_name(path.name + ".repairing")
    staging.write_bytes(b"".join(line + b"\n" for line in lines))
    os.replace(staging, path)
    return RepairReport(
        requests=len(lines),
        torn_tail_bytes=torn,
        split_lines=split,
        blank_lines=blank,
        garbage_bytes=garbage,
        backup=backup,
    )
