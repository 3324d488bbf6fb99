"""The local endpoint's recording, inside moto's process: record writes, restore, compact.

* ``Journal.record`` (installed as moto's recorder) appends each state-changing request as
  one line in ONE ``os.write`` on an ``O_APPEND`` descriptor created 0600: no interleaving,
  no torn half-lines between the object and its newline, not world-readable. Reads are
  dropped (``runtime.local.writes.is_read``).
* ``Journal.restore`` replays the file in-process (no HTTP round trips): snapshot lines go
  straight into moto's tables, recorded requests through the WSGI app.
* ``Journal.compact`` rewrites the file as a snapshot of the live state and swaps it in with
  ``os.replace``, while ``gate`` holds every request off, so each request is either in the
  snapshot or appended after it, never both and never neither.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from moto.moto_api._internal.recorder.models import Recorder
from werkzeug.test import Client

from runtime.local import snapshot
from runtime.local.private import PRIVATE_FILE, write_private
from runtime.local.writes import Kind, is_read, kind_of

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Gate:
    """Many requests at once, or one compaction alone (writer-preferring, so it gets a turn)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._closing = False

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        with self._cond:
            while self._closing:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def alone(self) -> Iterator[None]:
        with self._cond:
            while self._closing:
                self._cond.wait()
            self._closing = True
            while self._active:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._closing = False
                self._cond.notify_all()


def say(message: str) -> None:
    """One line to the server log (stdout), which ``LocalAws`` watches for progress."""
    print(f"auterity-local-aws: {message}", flush=True)


class Journal(Recorder):
    """moto's recorder replaced: writes only, atomic lines, private file, compaction."""

    def __init__(self, path: Path, app: WsgiApp, *, compact_after: int) -> None:
        super().__init__()
        self.path = path
        self.app = app
        self.gate = Gate()
        self.compact_after = compact_after
        self.appended = 0
        self._user_enabled = False
        self._client = Client(app)

    def gated(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI app to serve: every request runs inside the gate."""
        with self.gate.request():
            return self.app(environ, start_response)

    # -- recording ----------------------------------------------------------------------

    def _record_request(self, request: Any, body: bytes | None = None) -> None:
        if not self._user_enabled or request.raw_path.startswith("/moto-api/"):
            return
        if body is None:
            body = _read_body(request)
        body_str, encoded = self._encode_body(body)
        text = body_str if isinstance(body_str, str) else ""
        if is_read(request.method, request.raw_url, dict(request.headers), "" if encoded else text):
            return
        entry = {
            "headers": dict(request.headers),
            "method": request.method,
            "url": request.raw_url,
            "body": body_str,
            "body_encoded": encoded,
        }
        line = json.dumps(entry).encode() + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        self.appended += 1

    # -- restore --------------------------------------------------------------------------

    def restore(self) -> int:
        """Apply every line of the file; return how many lines changed state."""
        if not self.path.exists():
            return 0
        lines = self.path.read_bytes().splitlines()
        say(f"restoring {len(lines)} lines from {self.path}")
        applied = failed = 0
        last_report = time.monotonic()
        for number, raw in enumerate(lines, 1):
            entry = json.loads(raw)
            if snapshot.is_snapshot(entry):
                snapshot.apply(entry, self._send)
                applied += 1
            elif not _recorded_read(entry):
                failed += self._replay(entry) >= 500
                applied += 1
            if time.monotonic() - last_report >= 1.0:
                say(f"restoring: {number} of {len(lines)} lines")
                last_report = time.monotonic()
        if failed:
            say(f"{failed} recorded request(s) failed again on replay (HTTP 5xx)")
        return applied

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        host = headers.get("Host") or headers.get("host") or "127.0.0.1"
        response = self._client.open(
            path, method=method, base_url=f"http://{host}", headers=headers, data=body
        )
        status = response.status_code
        response.close()
        return int(status)

    def _replay(self, entry: dict[str, Any]) -> int:
        headers = {
            str(k): str(v)
            for k, v in (entry.get("headers") or {}).items()
            if k.lower() not in ("content-length", "transfer-encoding")
        }
        body = entry.get("body") or ""
        data = base64.b64decode(body) if entry.get("body_encoded") else str(body).encode()
        url = str(entry["url"])
        path = url.split("://", 1)[-1]
        path = path[path.find("/") :] if "/" in path else "/"
        return self._send(str(entry["method"]), path, headers, data)

    # -- compaction -------------------------------------------------------------------

    def compact(self) -> bool:
        """Swap the file for a snapshot of the live state; False when that is refused."""
        with self.gate.alone():
            started = time.monotonic()
            other: list[bytes] = []
            settings: list[bytes] = []
            before = 0
            if self.path.exists():
                for raw in self.path.read_bytes().splitlines():
                    before += 1
                    entry = json.loads(raw)
                    if snapshot.is_snapshot(entry) or _recorded_read(entry):
                        continue
                    kind = kind_of(entry)
                    if kind is Kind.OTHER:
                        other.append(raw)
                    elif kind is Kind.S3_BUCKET_SETTING:
                        settings.append(raw)
            try:
                after = write_private(self.path, snapshot.take(other, settings))
            except snapshot.SnapshotRefused as exc:
                say(f"not compacting the recording: {exc}")
                return False
            self.appended = 0
            seconds = time.monotonic() - started
            say(f"compacted the recording: {before} lines -> {after} in {seconds:.2f} s")
            return True

    def compact_in_background(self, interval: float = 1.0) -> None:
        """Compact whenever ``compact_after`` writes were appended since the last time."""

        def loop() -> None:
            while True:
                time.sleep(interval)
                if self.appended >= self.compact_after:
                    try:
                        self.compact()
                    except Exception as exc:
                        say(f"compaction failed, will retry: {exc!r}")
                        print(exc, file=sys.stderr, flush=True)

        threading.Thread(target=loop, name="compactor", daemon=True).start()


def _recorded_read(entry: dict[str, Any]) -> bool:
    """Reads an older version recorded: skipped on replay, dropped by compaction."""
    body = entry.get("body") if not entry.get("body_encoded") else ""
    return is_read(
        str(entry.get("method", "")), str(entry.get("url", "")), entry.get("headers") or {},
        str(body or ""),
    )  # fmt: skip


def _read_body(request: Any) -> bytes | None:
    """The request body, put back so moto can still read it (what moto's recorder does)."""
    try:
        size = int(request.headers["Content-Length"])
    except (KeyError, ValueError):
        return None
    data = request.environ["wsgi.input"].read(size)
    if isinstance(data, str):
        data = data.encode()
    request.environ["wsgi.input"] = io.BytesIO(data)
    return bytes(data)
