r"""Run by test_processes.py: a Supervisor over a steady child and one the test kill -9s.

Each child writes ``ready <name> <pid>\n`` in one ``os.write`` once started, so the test
sees the restarted one come back with a new pid.
"""

from __future__ import annotations

import sys

from runtime.local.processes import Supervisor

PY = sys.executable


def child(name: str) -> str:
    return (
        "import os, sys, time\n"
        f"print('{name} is up and about to work', file=sys.stderr, flush=True)\n"
        f"os.write(1, b'ready {name} %d\\n' % os.getpid())\n"
        "time.sleep(60)\n"
    )


if __name__ == "__main__":
    with Supervisor(grace=1.0, poll_interval=0.05) as supervisor:
        supervisor.start("steady", [PY, "-c", child("steady")])
        supervisor.start("victim", [PY, "-c", child("victim")])
        sys.exit(supervisor.run())
