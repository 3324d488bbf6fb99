"""``aws-server.json``: what a running LocalAws leaves behind so later runs recognise it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from runtime.local.private import write_private_text
from runtime.local.processes import pid_alive


@dataclass(frozen=True)
class ServerFile:
    """What a running LocalAws leaves in ``aws-server.json`` so later runs recognise it."""

    pid: int
    port: int
    owner_pid: int
    recording: str
    ready: bool

    @classmethod
    def read(cls, path: Path) -> ServerFile | None:
        """Parse the file, or None when it is missing or unreadable (treated as absent)."""
        try:
            raw = json.loads(path.read_text())
            return cls(
                pid=int(raw["pid"]),
                port=int(raw["port"]),
                owner_pid=int(raw["owner_pid"]),
                recording=str(raw["recording"]),
                ready=bool(raw["ready"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        """Replace the file atomically, so a concurrent reader never sees half of it."""
        write_private_text(path, json.dumps(self.__dict__))


def runs_moto(pid: int, port: int) -> bool:
    """True when pid runs moto's server on ``port``; assumed so where /proc is missing.

    Ours is ``runtime.local.moto_server``; a plain ``moto.server`` is recognised too.
    """
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return pid_alive(pid)
    server = b"moto.server" in args or b"runtime.local.moto_server" in args
    return server and str(port).encode() in args
