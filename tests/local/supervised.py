r"""Run by test_processes.py as its own process: a Supervisor over children that report pids.

``supervised.py GRACE run|setup``: the signal arrives during ``run()`` or during set-up.

Each process writes ``ready <pid>\n`` in one ``os.write`` (atomic on a pipe, unlike print)
once its signal set-up is done, so the test knows a signal really exercises that set-up.
"""

from __future__ import annotations

import sys
import time

from runtime.local.processes import Supervisor

PY = sys.executable
READY = r"os.write(1, b'ready %d\n' % os.getpid())"
SLEEPER = f"import os, time\n{READY}\ntime.sleep(60)\n"
STUBBORN = (
    "import os, signal, time\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    f"{READY}\n"
    "time.sleep(60)\n"
)
# A child whose own child ignores SIGINT/SIGTERM: it outlives its parent and must still go.
PARENT = (
    "import os, subprocess, sys\n"
    f"child = subprocess.Popen([sys.executable, '-c', {STUBBORN!r}])\n"
    f"{READY}\n"
    "try:\n"
    "    child.wait()\n"
    "except KeyboardInterrupt:\n"
    "    pass\n"
)

if __name__ == "__main__":
    with Supervisor(grace=float(sys.argv[1]), poll_interval=0.05) as supervisor:
        supervisor.start("sleeper", [PY, "-c", SLEEPER])
        supervisor.start("stubborn", [PY, "-c", STUBBORN])
        supervisor.start("parent", [PY, "-c", PARENT])
        if sys.argv[2] == "setup":
            time.sleep(60)  # still setting up (creating tables, say) when the signal comes
        sys.exit(supervisor.run())
