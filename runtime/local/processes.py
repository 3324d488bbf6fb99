"""A tiny process supervisor for ``make run``, plus the port and HTTP probes it needs.

Why a supervisor at all: ``make run`` starts several long-lived servers (the local AWS
endpoint, the API). Each child gets its own process group, so a Ctrl-C in the terminal
reaches only the supervisor, which then stops the children in reverse start order (the API
before the endpoint it talks to) and kills a whole group, grandchildren included (uvicorn's
reloader spawns workers). A child that dies on its own is restarted with exponential backoff
(0.5 s doubling to 30 s, reset once it has run for a minute), the crash logged with its exit
status and last lines of output; the others keep running. A child watched without a way to
restart it still stops the whole stack, so a half-running stack never pretends to work.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self

from runtime.local.output import OutputTail
from runtime.local.probes import LOOPBACK, HttpAnswer, http_request, port_is_free, wait_for_http

__all__ = [  # the probes are re-exported: callers import them with the supervisor
    "LOOPBACK", "HttpAnswer", "Log", "Supervisor", "http_request", "log_to_stderr",
    "pid_alive", "port_is_free", "signal_group", "stop_process_group", "wait_for_http",
]  # fmt: skip


Log = Callable[[str], None]


def log_to_stderr(message: str) -> None:
    """Print one line for the person watching ``make run`` (stderr, so stdout stays clean)."""
    print(f"auterity: {message}", file=sys.stderr, flush=True)


def pid_alive(pid: int) -> bool:
    """True while ``pid`` is a live process; a zombie counts as dead.

    The zombie check matters where nothing reaps orphans promptly (containers whose
    PID 1 is not an init): a killed server would otherwise look alive forever.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill()
    return stat.rpartition(")")[2].split()[0] != "Z"


def has_exited(process: subprocess.Popen[bytes]) -> bool:
    """True once the process has exited, WITHOUT reaping it where the OS allows.

    An unreaped leader keeps its process-group id reserved, so the group can still be
    SIGKILLed safely afterwards (a grandchild may have outlived it) without any risk of
    signalling an unrelated process that reused the number.
    """
    if process.returncode is not None:
        return True
    waitid = getattr(os, "waitid", None)
    if waitid is None:  # macOS: fall back to reaping; the later group kill is then skipped
        return process.poll() is not None
    try:
        info = waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # someone else reaped it
        return process.poll() is not None
    return info is not None


def signal_group(pid: int, sig: int) -> None:
    """Signal a whole process group, ignoring a group that is already gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def stop_process_group(
    process: subprocess.Popen[bytes],
    sig: int = signal.SIGTERM,
    grace: float = 5.0,
    *,
    forced: Callable[[], bool] = lambda: False,
) -> int:
    """Stop a child started with ``process_group=0``: ``sig``, then SIGKILL after ``grace``.

    Always reaps the child (no zombies, no ResourceWarning) and returns its exit code.
    ``forced`` lets a second Ctrl-C skip the grace period.
    """
    if not has_exited(process):
        signal_group(process.pid, sig)
        deadline = time.monotonic() + grace
        while not has_exited(process):
            if forced() or time.monotonic() >= deadline:
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.02)
    if process.returncode is None:
        # The leader is a zombie, so its group id is still reserved: mop up stragglers.
        signal_group(process.pid, signal.SIGKILL)
    return process.wait()


def describe_exit(returncode: int) -> str:
    """Say how a process ended in words ("code 1", "signal SIGKILL")."""
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"code {returncode}"


Launch = Callable[[], subprocess.Popen[bytes]]
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
STABLE_AFTER = 60.0


@dataclass
class Child:
    """A supervised process, the name used in messages and how to start it again."""

    name: str
    process: subprocess.Popen[bytes]
    restart: Launch | None = None
    last_lines: Callable[[], list[str]] = field(default=lambda: [])
    started: float = field(default_factory=time.monotonic)
    crashes: int = 0
    restart_at: float | None = None


# SIGHUP (terminal closed) must stop the children too: they are in their own process
# groups, so the terminal's hangup would never reach them.
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Supervisor:
    """Runs children until Ctrl-C/SIGTERM/SIGHUP or until one of them dies.

    Use it as a context manager from the main thread: ``start()``/``watch()`` inside the
    ``with`` block, then ``run()``. A stop signal during the set-up raises ``SystemExit``
    (128+signal) so the block unwinds and every child is stopped; ``run()`` returns the exit
    status for ``sys.exit``: 128+signal after a requested stop, 1 when a child died.
    """

    def __init__(
        self,
        *,
        grace: float = 5.0,
        poll_interval: float = 0.1,
        log: Log = log_to_stderr,
    ) -> None:
        self.children: list[Child] = []
        self._foreign: list[tuple[str, int]] = []
        self._grace = grace
        self._interval = poll_interval
        self._log = log
        self._requested: int | None = None
        self._forced = False
        self._outer_handlers: dict[int, _Handler] = {}

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        log_path: Path | None = None,
        on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in its own process group, supervise it, restart it when it dies.

        Its output is echoed to our stdout and kept (last lines, and ``log_path`` at 0600);
        ``on_start`` runs after every (re)start, e.g. to write its pid file.
        """
        tails: list[OutputTail] = []

        def launch() -> subprocess.Popen[bytes]:
            process = subprocess.Popen(  # noqa: S603 - argv comes from our own Makefile targets
                list(argv),
                env=dict(env) if env is not None else None,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
            assert process.stdout is not None
            tails[:] = [OutputTail(process.stdout, log_path)]
            if on_start is not None:
                on_start(process)
            return process

        process = launch()
        self.watch(name, process, restart=launch, last_lines=lambda: tails[0].last_lines())
        return process

    def watch(
        self,
        name: str,
        process: subprocess.Popen[bytes],
        *,
        restart: Launch | None = None,
        last_lines: Callable[[], list[str]] | None = None,
    ) -> None:
        """Supervise a process started elsewhere (e.g. ``LocalAws.process``).

        It must lead its own process group, or stopping it would signal our own group.
        Without ``restart``, its death stops every child.
        """
        if process.returncode is None and os.getpgid(process.pid) != process.pid:
            raise ValueError(f"{name} (pid {process.pid}) is not a process-group leader")
        self.children.append(Child(name, process, restart, last_lines or (lambda: [])))

    def watch_pid(self, name: str, pid: int) -> None:
        """Stop everything if ``pid`` goes away; it is never signalled (not ours to stop).

        For a server reused from another ``make run`` (``LocalAws.process`` is None then).
        """
        self._foreign.append((name, pid))

    def run(self) -> int:
        """Block until asked to stop or a child dies, then stop every child and return."""
        previous = _swap_handlers(self._on_signal)
        try:
            dead = self._wait_for_event()
            if dead is not None:
                self._log(f"{dead}; stopping the others")
                self.stop_all(signal.SIGTERM)
                return 1
            requested = self._requested if self._requested is not None else signal.SIGTERM
            forward = signal.SIGTERM if requested == signal.SIGHUP else requested
            self.stop_all(forward)
            return 128 + int(requested)
        finally:
            _restore_handlers(previous)

    def stop_all(self, sig: int = signal.SIGTERM) -> None:
        """Stop children newest first, so servers stop before what they depend on."""
        running = [child for child in self.children if not has_exited(child.process)]
        if running:
            names = ", ".join(child.name for child in reversed(running))
            self._log(f"stopping {names} (Ctrl-C again to kill at once)")
        for child in reversed(self.children):
            stop_process_group(child.process, sig, self._grace, forced=lambda: self._forced)

    def _wait_for_event(self) -> str | None:
        """None once a stop signal arrived, else a sentence about the process that died."""
        while self._requested is None:
            for child in self.children:
                if child.restart_at is not None:
                    if time.monotonic() >= child.restart_at:
                        self._restart(child)
                    continue
                if has_exited(child.process):
                    # Reaps it, after killing anything it left behind in its group.
                    code = stop_process_group(child.process, signal.SIGKILL, 0)
                    if child.restart is None:
                        return (
                            f"{child.name} (pid {child.process.pid}) exited unexpectedly "
                            f"with {describe_exit(code)}"
                        )
                    self._schedule_restart(child, code)
            for name, pid in self._foreign:
                if not pid_alive(pid):
                    return f"{name} (pid {pid}) went away unexpectedly"
            time.sleep(self._interval)
        return None

    def _schedule_restart(self, child: Child, code: int) -> None:
        if time.monotonic() - child.started >= STABLE_AFTER:
            child.crashes = 0
        delay = min(MAX_BACKOFF, FIRST_BACKOFF * 2**child.crashes)
        child.crashes += 1
        child.restart_at = time.monotonic() + delay
        tail = "".join(f"\n    {line}" for line in child.last_lines())
        output = f"; its last output:{tail}\n" if tail else "; "
        self._log(
            f"{child.name} (pid {child.process.pid}) exited with {describe_exit(code)}"
            f"{output}restarting in {delay:g} s (crash {child.crashes})"
        )

    def _restart(self, child: Child) -> None:
        assert child.restart is not None
        child.restart_at = None
        child.started = time.monotonic()
        try:
            child.process = child.restart()
        except Exception as exc:
            self._log(f"restarting {child.name} failed: {exc}")
            self._schedule_restart(child, child.process.returncode or 1)
            return
        self._log(f"restarted {child.name} (pid {child.process.pid})")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """While waiting or stopping: the first signal asks to stop, the next one forces."""
        if self._requested is None:
            self._requested = signum
        else:
            self._forced = True

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        """While the caller is still setting up: abandon the set-up, then ``__exit__`` stops.

        Without this, a SIGTERM or SIGHUP during set-up would kill this process outright
        and orphan the children, which are out of reach of the terminal's signals.
        """
        self._requested = signum
        raise SystemExit(128 + signum)

    def __enter__(self) -> Self:
        """Install set-up signal handling; children are stopped on leaving the block."""
        self._outer_handlers = _swap_handlers(self._interrupt)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        during = _swap_handlers(self._on_signal)  # a further Ctrl-C now kills at once
        try:
            self.stop_all(signal.SIGTERM)
        finally:
            _restore_handlers(self._outer_handlers or during)
            self._outer_handlers = {}


def _swap_handlers(handler: _Handler) -> dict[int, _Handler]:
    return {sig: signal.signal(sig, handler) for sig in _STOP_SIGNALS}


def _restore_handlers(previous: Mapping[int, _Handler]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
