"""A child's output: echoed to our stdout, appended to its private log, last lines kept.

The last lines go into the crash report when the supervisor restarts the child.
"""

from __future__ import annotations

import collections
import os
import threading
from pathlib import Path
from typing import IO

from runtime.local.private import open_private

TAIL_LINES = 15


class OutputTail:
    """Reads one child's stdout+stderr pipe on a daemon thread until it closes."""

    def __init__(self, pipe: IO[bytes], log_path: Path | None = None) -> None:
        self._lines: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._partial = b""
        self._lock = threading.Lock()
        self._log_fd = open_private(log_path) if log_path is not None else None
        self._thread = threading.Thread(target=self._pump, args=(pipe,), daemon=True)
        self._thread.start()

    def _pump(self, pipe: IO[bytes]) -> None:
        fd = pipe.fileno()
        try:
            while chunk := os.read(fd, 65536):
                os.write(1, chunk)
                if self._log_fd is not None:
                    os.write(self._log_fd, chunk)
                with self._lock:
                    *complete, self._partial = (self._partial + chunk).split(b"\n")
                    self._lines.extend(line.decode(errors="replace") for line in complete)
        except OSError:
            pass
        finally:
            pipe.close()
            if self._log_fd is not None:
                os.close(self._log_fd)

    def last_lines(self, wait: float = 0.5) -> list[str]:
        """The last lines seen (waiting briefly for the pipe to drain after an exit)."""
        self._thread.join(wait)
        with self._lock:
            tail = list(self._lines)
            if self._partial:
                tail.append(self._partial.decode(errors="replace"))
        return tail


def last_lines_of_file(path: Path, count: int = TAIL_LINES) -> list[str]:
    """For a child that writes its own log (the local AWS endpoint)."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, path.stat().st_size - 16384))
            data = log.read()
    except OSError:
        return []
    return data.decode(errors="replace").splitlines()[-count:]
