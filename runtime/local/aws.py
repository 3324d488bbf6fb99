"""A local AWS endpoint (moto's HTTP server) whose state survives restarts and ``kill -9``.

moto keeps everything in memory. ``runtime.local.moto_server`` (the process this module
starts) journals every state-changing request to ``aws-recording.log`` before handling it,
restores that file in-process on start, and compacts it to a snapshot of the live state on
start and every ``compact_after`` writes, so a restart costs O(live data), not O(history).
This module's part:

1. repair the file (a hard kill can leave a torn last line);
2. start the server and wait while it restores: no fixed timeout, only a stall timeout
   (the server prints progress), and a restore that fails stops it with one clear line;
3. keep the state folder private (0700, files 0600; issue 13.7).

Only 127.0.0.1 is ever bound or contacted.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from runtime.local.moto_server import DEFAULT_COMPACT_AFTER, RESTORE_FAILED
from runtime.local.output import last_lines_of_file
from runtime.local.private import open_private, private_dir
from runtime.local.processes import (
    LOOPBACK,
    Log,
    http_request,
    log_to_stderr,
    pid_alive,
    port_is_free,
    signal_group,
    stop_process_group,
    wait_for_http,
)
from runtime.local.recording import RepairReport, repair_recording
from runtime.local.server_file import ServerFile, runs_moto
from runtime.store.endpoint import PORT_ENV, LocalAwsError, configured_port

DEFAULT_STATE_DIR = Path(".auterity") / "local"
RECORDING_NAME = "aws-recording.log"
SERVER_FILE_NAME = "aws-server.json"
SERVER_LOG_NAME = "aws-server.log"
REGION = "us-east-1"
_SOURCE_ROOT = Path(__file__).resolve().parents[2]

# A path moto routes to a 404 without recording it: safe to poll while it starts.
_READY_PATH = "/moto-api/recorder/ready"
# GET here is harmless (moto answers 400 and does nothing) and its answer is unmistakable.
_IDENTIFY_PATH = "/moto-api/reset"
_IDENTIFY_TEXT = b"Need to POST to reset Moto"


def _cpu_ticks(pid: int) -> int:
    """User+system CPU time of pid in clock ticks (0 where /proc is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _no_proxy() -> str:
    current = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    hosts = [host for host in current.split(",") if host.strip()]
    return ",".join([*hosts, "127.0.0.1", "localhost"])


class LocalAws:
    """moto's server on 127.0.0.1:PORT, its state replayed from and recorded to a file.

    ``start()`` (or ``with LocalAws() as aws:``) returns once the endpoint answers and the
    previous state is back. If another ``make run`` is already serving this state directory
    on this port, its server is reused (``process`` is None; watch ``pid`` instead) and left
    running on ``stop()``; a server whose ``make run`` has died is stopped and replaced.
    Anything else on the port, or this state served on another port, is an error.
    """

    def __init__(
        self,
        port: int | None = None,
        state_dir: str | Path | None = None,
        *,
        startup_timeout: float = 30.0,
        compact_after: int = DEFAULT_COMPACT_AFTER,
        grace: float = 5.0,
        log: Log = log_to_stderr,
    ) -> None:
        self.port = configured_port(port)
        self.state_dir = Path(state_dir if state_dir is not None else DEFAULT_STATE_DIR).resolve()
        self.recording_path = self.state_dir / RECORDING_NAME
        self.server_file = self.state_dir / SERVER_FILE_NAME
        self.server_log = self.state_dir / SERVER_LOG_NAME
        self.startup_timeout = startup_timeout
        self.compact_after = compact_after
        self.grace = grace
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None
        """The moto process when this object started it (give it to ``Supervisor.watch``)."""
        self.pid: int | None = None
        self.owned = False
        self.replayed = 0
        self.restore_seconds = 0.0
        """How long the server took to restore and compact the state (its own measure)."""
        self.repair: RepairReport | None = None

    @property
    def endpoint_url(self) -> str:
        """What boto3 takes as ``endpoint_url`` (or ``AWS_ENDPOINT_URL``)."""
        return f"http://{LOOPBACK}:{self.port}"

    def client_env(self) -> dict[str, str]:
        """Environment for a child process (uvicorn) so boto3 there uses this endpoint."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # moto accepts any credentials; fake ones keep real keys out of local requests.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "NO_PROXY": _no_proxy(),
        }

    def start(self) -> Self:
        """Start (or reuse) the endpoint and restore the recorded state; idempotent."""
        if self.pid is not None:
            return self
        private_dir(self.state_dir)
        if self._reuse_or_clear_previous():
            return self
        if not port_is_free(self.port):
            self._refuse_busy_port()
        self._launch()
        return self

    def stop(self) -> None:
        """Stop the server if this object started it: SIGTERM, then SIGKILL after ``grace``.

        A SIGKILL loses nothing: every answered request is already in the recording.
        """
        process, self.process = self.process, None
        if process is not None:
            stop_process_group(process, signal.SIGTERM, self.grace)
            current = ServerFile.read(self.server_file)
            if current is not None and current.pid == process.pid:
                self.server_file.unlink(missing_ok=True)
        self.pid = None
        self.owned = False

    def relaunch(self) -> subprocess.Popen[bytes]:
        """Start the server again after it died (the supervisor's restart for it).

        The recording holds every answered write, so the new server comes back with the
        state the old one had; raises ``LocalAwsError`` when it cannot.
        """
        if self.process is not None:
            stop_process_group(self.process, signal.SIGKILL, 0)  # reap it, and its group
        self.process = None
        self.pid = None
        if not port_is_free(self.port):
            self._refuse_busy_port()
        self._launch()
        assert self.process is not None
        return self.process

    def last_lines(self) -> list[str]:
        """The end of the server's log, for a crash report."""
        return last_lines_of_file(self.server_log)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- start-up ---------------------------------------------------------------------

    def _launch(self) -> None:
        self.repair = repair_recording(self.recording_path)
        if self.repair.changed:
            self._log(self.repair.describe())
        if self.repair.requests:
            self._log(f"restoring local AWS state from {self.recording_path}")
        env = dict(os.environ)
        env.pop("MOTO_ENABLE_RECORDING", None)  # the journal records, not moto's recorder
        env["MOTO_PORT"] = str(self.port)
        # The server must run this checkout's code, whatever the venv has installed.
        env["PYTHONPATH"] = os.pathsep.join(
            [str(_SOURCE_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        env["NO_PROXY"] = env["no_proxy"] = _no_proxy()
        argv = [
            sys.executable, "-m", "runtime.local.moto_server", "-H", LOOPBACK,
            "-p", str(self.port), "--recording", str(self.recording_path),
            "--compact-after", str(self.compact_after),
        ]  # fmt: skip
        log_fd = open_private(self.server_log, append=False)
        try:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
                argv,
                env=env,
                cwd=self.state_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        finally:
            os.close(log_fd)
        self.pid = self.process.pid
        self.owned = True
        self._write_server_file(ready=False)
        try:
            self._wait_until_answering(self.process)
            self._write_server_file(ready=True)
        except BaseException:
            self.stop()
            raise
        for line in self._log_lines():
            if line.startswith(("restored ", "compacted ", "not compacting")):
                self._log(line)
            words = line.split()  # "restored N lines in S s"
            if line.startswith("restored ") and len(words) >= 5 and words[1].isdigit():
                self.replayed = int(words[1])
                self.restore_seconds = float(words[4])

    def _wait_until_answering(self, process: subprocess.Popen[bytes]) -> None:
        """Wait while the server restores (its log grows) and until it answers.

        No fixed deadline: a large state restores for as long as it makes progress (log
        output or CPU time). It fails when the server exits (its last log line says why) or
        makes no progress for ``startup_timeout`` seconds without answering.
        """
        url = self.endpoint_url + _READY_PATH
        last_progress: tuple[int, int] = (-1, -1)
        last_change = time.monotonic()
        while True:
            try:
                wait_for_http(url, 1.0, process=process)
                return
            except RuntimeError as exc:
                code = process.wait()
                why = self._last_log_line() or str(exc)
                what = "could not restore its state" if code == RESTORE_FAILED else "exited"
                raise LocalAwsError(
                    f"the local AWS server on port {self.port} {what} during start-up "
                    f"({why}); see {self.server_log}"
                ) from exc
            except TimeoutError as exc:
                size = self.server_log.stat().st_size if self.server_log.exists() else 0
                progress = (size, _cpu_ticks(process.pid))  # importing moto prints nothing
                if progress != last_progress:
                    last_progress, last_change = progress, time.monotonic()
                elif time.monotonic() - last_change > self.startup_timeout:
                    raise LocalAwsError(
                        f"the local AWS server on port {self.port} made no progress for "
                        f"{self.startup_timeout:g} s and does not answer; see {self.server_log}"
                    ) from exc

    def _log_lines(self) -> list[str]:
        prefix = "auterity-local-aws: "
        try:
            text = self.server_log.read_text(errors="replace")
        except OSError:
            return []
        return [line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)]

    def _write_server_file(self, *, ready: bool) -> None:
        assert self.pid is not None
        ServerFile(
            pid=self.pid,
            port=self.port,
            owner_pid=os.getpid(),
            recording=str(self.recording_path),
            ready=ready,
        ).write(self.server_file)

    def _last_log_line(self) -> str:
        try:
            lines = self.server_log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        last = lines[-1].strip() if lines else ""
        return last.removeprefix("auterity-local-aws: ")

    # -- an occupied port -------------------------------------------------------------

    def _reuse_or_clear_previous(self) -> bool:
        """Reuse a live server of another run on this state (True); stop an orphan (False).

        One recording must only ever have one writer: two servers appending to the same
        file would double every request on the next replay.
        """
        info = ServerFile.read(self.server_file)
        if info is None or info.recording != str(self.recording_path):
            return False
        if not (pid_alive(info.pid) and runs_moto(info.pid, info.port)):
            self.server_file.unlink(missing_ok=True)  # stale: that server is gone
            return False
        if not pid_alive(info.owner_pid):
            self._log(
                f"stopping a leftover local AWS server (pid {info.pid}, port {info.port}) whose "
                "`make run` has exited; its state is in the recording"
            )
            self._stop_orphan(info.pid, info.port)
            self.server_file.unlink(missing_ok=True)
            return False
        if info.port != self.port:
            raise LocalAwsError(
                f"{self.state_dir} is in use by the local AWS endpoint on port {info.port} "
                f"(pid {info.pid}); stop that run, or use its port ({PORT_ENV}={info.port})"
            )
        self._await_ready(info)
        self.pid = info.pid
        self._log(
            f"using the local AWS endpoint already running on port {self.port} "
            f"(pid {info.pid}, started by pid {info.owner_pid}); it keeps running "
            "when this run stops"
        )
        return True

    def _refuse_busy_port(self) -> None:
        if self._looks_like_moto():
            raise LocalAwsError(
                f"port {self.port} on {LOOPBACK} is used by a moto server that was not "
                f"started for {self.state_dir}; stop it, or set {PORT_ENV} to another port"
            )
        raise LocalAwsError(
            f"port {self.port} on {LOOPBACK} is in use by another program; stop it, or set "
            f"{PORT_ENV} to a free port"
        )

    def _await_ready(self, info: ServerFile) -> None:
        deadline = time.monotonic() + self.startup_timeout + 600.0  # its restore takes a while
        current: ServerFile | None = info
        while current is not None and not current.ready:
            if time.monotonic() >= deadline or not pid_alive(current.pid):
                raise LocalAwsError(
                    f"the local AWS server on port {self.port} (pid {info.pid}) never finished "
                    "starting; stop it and retry"
                )
            time.sleep(0.1)
            current = ServerFile.read(self.server_file)
        if current is None:
            raise LocalAwsError(
                f"the local AWS server on port {self.port} (pid {info.pid}) went away while "
                "starting; retry"
            )

    def _stop_orphan(self, pid: int, port: int) -> None:
        """Stop a server we did not spawn (no Popen to wait on): poll until it is gone."""
        for sig, patience in ((signal.SIGTERM, self.grace), (signal.SIGKILL, 5.0)):
            signal_group(pid, sig)  # LocalAws starts moto as a group leader
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
            deadline = time.monotonic() + patience
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not pid_alive(pid):
                break
        deadline = time.monotonic() + 5.0
        while not port_is_free(port):
            if time.monotonic() >= deadline:
                raise LocalAwsError(
                    f"port {port} on {LOOPBACK} stayed busy after stopping pid {pid}; "
                    f"free it, or set {PORT_ENV} to another port"
                )
            time.sleep(0.05)

    def _looks_like_moto(self) -> bool:
        try:
            answer = http_request(self.endpoint_url + _IDENTIFY_PATH, timeout=2.0)
        except (OSError, http.client.HTTPException):
            return False
        return _IDENTIFY_TEXT in answer.body
