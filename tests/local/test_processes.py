"""Supervisor and probes: Ctrl-C stops everything it started; one crash stops the rest."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from runtime.local.aws import LocalAws
from runtime.local.processes import Supervisor, port_is_free, wait_for_http
from tests.local.conftest import free_port, gone

REPO = Path(__file__).resolve().parents[2]
SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def read_ready_pids(process: subprocess.Popen[bytes], count: int, timeout: float) -> list[int]:
    """Collect ``ready <pid>`` lines from the supervised script's shared stdout.

    Raw ``os.read`` on the pipe: a buffered readline can swallow two lines at once and
    leave select() waiting for data that is already in Python's buffer.
    """
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while seen.count(b"ready ") < count or not seen.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"not all {count} processes got ready: {seen!r}"
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            chunk = os.read(fd, 4096)
            assert chunk, f"the supervisor exited early: {seen!r}"
            seen += chunk
    return [int(line.split()[1]) for line in seen.splitlines() if line.startswith(b"ready ")]


@pytest.mark.parametrize("phase", ["run", "setup"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_every_process_and_grandchild(sig: signal.Signals, phase: str) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "local" / "supervised.py"), "0.5", phase],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        pids = read_ready_pids(supervisor, count=4, timeout=20)
        started = time.monotonic()
        supervisor.send_signal(sig)
        _, err = supervisor.communicate(timeout=20)
    finally:
        if supervisor.poll() is None:  # the test failed: still stop the children through it
            supervisor.terminate()
            try:
                supervisor.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                supervisor.kill()
                supervisor.communicate()
    assert supervisor.returncode == 128 + sig
    assert time.monotonic() - started < 5, "the stubborn ones are killed after the grace"
    assert b"stopping parent, stubborn, sleeper" in err
    assert b"supervised.py" not in err, "the supervisor itself exits without a traceback"
    assert [pid for pid in pids if not gone(pid)] == []


def test_a_crashing_child_without_a_restart_stops_the_others(messages: list[str]) -> None:
    supervisor = Supervisor(grace=2, poll_interval=0.05, log=messages.append)
    sleeper = supervisor.start("sleeper", SLEEP)
    crasher = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"],
        process_group=0,
    )
    supervisor.watch("crasher", crasher)  # watched, with no way to start it again
    assert supervisor.run() == 1
    assert messages[0] == (
        f"crasher (pid {crasher.pid}) exited unexpectedly with code 3; stopping the others"
    )
    assert sleeper.returncode == -signal.SIGTERM
    assert gone(sleeper.pid)


def test_a_killed_local_aws_stops_the_api(tmp_path: Path, port: int, messages: list[str]) -> None:
    with LocalAws(port=port, state_dir=tmp_path, log=messages.append) as aws:
        assert aws.process is not None
        with Supervisor(grace=2, poll_interval=0.05, log=messages.append) as supervisor:
            supervisor.watch("aws", aws.process)
            api = supervisor.start("api", SLEEP)
            aws_pid = aws.process.pid
            os.kill(aws_pid, signal.SIGKILL)
            assert supervisor.run() == 1
        assert (
            f"aws (pid {aws_pid}) exited unexpectedly with signal SIGKILL; stopping the others"
            in (messages)
        )
        assert gone(api.pid)


def test_watch_refuses_a_process_sharing_our_group() -> None:
    process = subprocess.Popen(SLEEP)
    try:
        with pytest.raises(ValueError, match="not a process-group leader"):
            Supervisor().watch("x", process)
    finally:
        process.kill()
        process.wait()


def test_port_is_free_sees_a_listener() -> None:
    port = free_port()
    assert port_is_free(port)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert not port_is_free(port)
    assert port_is_free(port)


class _Teapot(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(418)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def teapot() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Teapot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_wait_for_http_returns_any_status(teapot: str) -> None:
    assert wait_for_http(teapot, 5) == 418


def test_wait_for_http_times_out() -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wait_for_http(f"http://127.0.0.1:{free_port()}/", 0.3)
    assert time.monotonic() - started < 3


def test_wait_for_http_notices_a_dead_server() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(4)"])
    try:
        with pytest.raises(RuntimeError, match="exited with code 4"):
            wait_for_http(f"http://127.0.0.1:{free_port()}/", 10, process=process)
    finally:
        process.wait()


def test_a_watched_foreign_pid_that_goes_away_stops_the_others(messages: list[str]) -> None:
    # A process this supervisor did not start (like a reused local AWS server).
    foreign = subprocess.Popen(SLEEP)
    supervisor = Supervisor(grace=2, poll_interval=0.05, log=messages.append)
    supervisor.watch_pid("local AWS", foreign.pid)
    api = supervisor.start("api", SLEEP)
    foreign.kill()
    foreign.wait()
    assert supervisor.run() == 1
    assert (
        messages[0] == f"local AWS (pid {foreign.pid}) went away unexpectedly; stopping the others"
    )
    assert gone(api.pid)


def _read_ready(process: subprocess.Popen[bytes], want: int, timeout: float) -> list[str]:
    """``ready <name> <pid>`` lines from the restarting script, until ``want`` of them."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while len(_READY.findall(seen)) < want:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only saw {seen!r}"
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            chunk = os.read(fd, 4096)
            assert chunk, f"the supervisor exited: {seen!r}"
            seen += chunk
    return [f"ready {name.decode()} {pid.decode()}" for name, pid in _READY.findall(seen)]


# The children's output is echoed through the supervisor: match the lines wherever they land.
_READY = re.compile(rb"ready (steady|victim) (\d+)\n")


def test_a_killed_child_is_restarted_and_the_others_keep_running() -> None:
    supervisor = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "local" / "restarting.py")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},  # this checkout's runtime, not the venv's
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = dict(line.split()[1:] for line in _read_ready(supervisor, 2, timeout=20))
        steady, victim = int(first["steady"]), int(first["victim"])
        os.kill(victim, signal.SIGKILL)
        ready = _read_ready(supervisor, 1, timeout=20)
        assert ready[0].startswith("ready victim "), ready
        restarted = int(ready[0].split()[2])
        assert restarted != victim
        assert not gone(steady), "the other child kept running"
        assert not gone(restarted)
        supervisor.send_signal(signal.SIGINT)
        _, err = supervisor.communicate(timeout=20)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.communicate()
    assert supervisor.returncode == 128 + signal.SIGINT, "Ctrl-C still stops everything"
    assert gone(steady)
    assert gone(restarted)
    text = err.decode()
    assert f"victim (pid {victim}) exited with signal SIGKILL" in text
    assert "restarting in" in text
    assert "victim is up and about to work" in text.split("exited with signal SIGKILL")[1], (
        "the crash report quotes the last lines of the child's output"
    )
