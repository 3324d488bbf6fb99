"""A stack only stops processes it started (issue 14.5).

Starting a second stack from a copy of the first one's ``.auterity/local`` (pid files
included) SIGTERMed the first stack's service: start-up stopped whatever pid
``service.pid`` named when its command line matched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.local.ownership import TOKEN_ENV, PidRecord, new_token, record, stop_leftover
from tests.local.conftest import gone

# Looks like the service to a command-line check: "runtime.cli" and "serve" are in its argv.
FAKE_SERVICE = [sys.executable, "-c", "import time; time.sleep(60)", "runtime.cli", "serve"]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    token = new_token()
    process = subprocess.Popen(FAKE_SERVICE, process_group=0, env={**os.environ, TOKEN_ENV: token})
    yield process, token
    process.kill()
    process.wait()


def test_a_copied_state_folder_leaves_the_first_stacks_service_alone(
    tmp_path: Path, service: tuple[subprocess.Popen[bytes], str]
) -> None:
    process, token = service
    first = tmp_path / "first" / ".auterity" / "local"
    first.mkdir(parents=True)
    record(first / "service.pid", process.pid, first, token)
    second = tmp_path / "second" / ".auterity" / "local"
    shutil.copytree(first, second)

    assert not stop_leftover(second / "service.pid", second, log=lambda _: None)
    assert process.poll() is None, "the second stack stopped the first stack's service"
    assert not gone(process.pid)


def test_the_stack_that_started_a_leftover_stops_it(
    tmp_path: Path, service: tuple[subprocess.Popen[bytes], str]
) -> None:
    process, token = service
    state = tmp_path / ".auterity" / "local"
    state.mkdir(parents=True)
    record(state / "service.pid", process.pid, state, token)
    assert stop_leftover(state / "service.pid", state, log=lambda _: None)
    assert process.wait(timeout=10) == -15
    assert not (state / "service.pid").exists()


def test_a_reused_pid_or_a_foreign_token_is_left_alone(
    tmp_path: Path, service: tuple[subprocess.Popen[bytes], str]
) -> None:
    process, token = service
    state = tmp_path / ".auterity" / "local"
    state.mkdir(parents=True)
    record(state / "service.pid", process.pid, state, "another-stacks-token")
    assert not stop_leftover(state / "service.pid", state, log=lambda _: None)
    record(state / "service.pid", process.pid, state, token)
    entry = PidRecord.read(state / "service.pid")
    assert entry is not None
    moved = entry.model_copy(update={"start_time": "1"})  # the pid now names another process
    (state / "service.pid").write_text(moved.model_dump_json())
    assert not stop_leftover(state / "service.pid", state, log=lambda _: None)
    (state / "service.pid").write_text(str(process.pid))  # an older, unverifiable pid file
    assert not stop_leftover(state / "service.pid", state, log=lambda _: None)
    assert process.poll() is None
