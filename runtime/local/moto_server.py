"""The local AWS endpoint's process: moto's HTTP server, its state restored and journaled.

``python -m runtime.local.moto_server -H HOST -p PORT --recording FILE [--compact-after N]``:

1. registers the CloudFormation models moto lacks (``runtime.local.moto_cfn``);
2. restores FILE in-process, printing progress (``LocalAws`` waits while it advances);
3. compacts FILE to a snapshot of the live state, so the next start costs O(live data);
4. records writes only, compacting again every N writes, and serves on HOST:PORT.

A restore that fails exits with code 3 and one line saying why, before the port is bound.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

import moto.moto_api
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

from runtime.local.journal import Journal, say
from runtime.local.moto_cfn import register

RESTORE_FAILED = 3
DEFAULT_COMPACT_AFTER = 2000


def _stop(signum: int, frame: Any) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--recording", type=Path, required=True)
    parser.add_argument("--compact-after", type=int, default=DEFAULT_COMPACT_AFTER)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    register()
    app = DomainDispatcherApplication(create_backend_app)
    journal = Journal(args.recording, app, compact_after=max(1, args.compact_after))
    moto.moto_api.recorder = journal  # moto looks it up on every request
    started = time.monotonic()
    try:
        applied = journal.restore()
        journal.compact()
    except Exception as exc:
        say(f"restore failed: {type(exc).__name__}: {exc}")
        return RESTORE_FAILED
    say(f"restored {applied} lines in {time.monotonic() - started:.1f} s")
    # werkzeug logs a line per request: the log would grow with traffic like the old recording.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    say(f"serving on {args.host}:{args.port}")
    journal.start_recording()
    journal.compact_in_background()
    run_simple(
        args.host,
        args.port,
        journal.gated,
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
