"""Pid files that say which stack started a process, so a stack only stops its own.

Issue 14.5: a second stack started from a copy of the first one's ``.auterity/local`` (pid
files included) SIGTERMed the first one's service, because start-up stopped whatever pid
``service.pid`` named when its command line looked right. Now a pid file records the
state folder's absolute path, the process's start time (``/proc/<pid>/stat``, so a reused
pid never matches) and a random token the stack put in the child's environment; a leftover
is stopped only when all three match.
"""

from __future__ import annotations

import json
import secrets
import signal
import time
from pathlib import Path

from pydantic import BaseModel, ValidationError

from runtime.local.private import write_private_text
from runtime.local.processes import Log, pid_alive, signal_group

TOKEN_ENV = "AUTERITY_LOCAL_TOKEN"  # noqa: S105 - a variable name, not a secret


def new_token() -> str:
    """A stack instance's identity, given to every child it starts."""
    return secrets.token_hex(16)


def start_time(pid: int) -> str | None:
    """Field 22 of ``/proc/<pid>/stat`` (clock ticks since boot), or None without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


def _token_of(pid: int) -> str | None:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    prefix = f"{TOKEN_ENV}=".encode()
    for item in environ:
        if item.startswith(prefix):
            return item[len(prefix) :].decode(errors="replace")
    return None


class PidRecord(BaseModel):
    """What a pid file holds."""

    pid: int
    state_dir: str
    token: str
    start_time: str | None

    @classmethod
    def read(cls, path: Path) -> PidRecord | None:
        try:
            return cls.model_validate(json.loads(path.read_text()))
        except (OSError, ValueError, ValidationError):
            return None  # missing, or an older plain-number file: nothing proves it is ours


def record(pidfile: Path, pid: int, state_dir: Path, token: str) -> None:
    """Write ``pidfile`` (0600) for a child this stack just started."""
    entry = PidRecord(
        pid=pid, state_dir=str(state_dir.resolve()), token=token, start_time=start_time(pid)
    )
    write_private_text(pidfile, entry.model_dump_json())


def is_ours(entry: PidRecord, state_dir: Path) -> bool:
    """True only when the process is the very one a stack on ``state_dir`` started."""
    return (
        entry.state_dir == str(state_dir.resolve())
        and pid_alive(entry.pid)
        and entry.start_time is not None
        and start_time(entry.pid) == entry.start_time
        and _token_of(entry.pid) == entry.token
    )


def stop_leftover(pidfile: Path, state_dir: Path, log: Log, grace: float = 10.0) -> bool:
    """Stop the process ``pidfile`` names if a stack on ``state_dir`` started it.

    A ``kill -9``-ed ``make run`` leaves its children holding ports; True if one was stopped.
    """
    entry = PidRecord.read(pidfile)
    if entry is None or not is_ours(entry, state_dir):
        if entry is not None and pid_alive(entry.pid):
            log(f"leaving pid {entry.pid} from {pidfile} alone: this stack did not start it")
        pidfile.unlink(missing_ok=True)
        return False
    log(f"stopping pid {entry.pid}, left running by an earlier run on {state_dir}")
    for sig, patience in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        signal_group(entry.pid, sig)
        deadline = time.monotonic() + patience
        while pid_alive(entry.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not pid_alive(entry.pid):
            break
    pidfile.unlink(missing_ok=True)
    return True
