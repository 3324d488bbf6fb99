"""A stack only stops processes it started (issue 14.5).

Starting a second stack from a copy of the first one's ``.auterity/local`` (pid files
included) SIGTERMed the first stack's service: start-up stopped whatever pid
``service.pid`` named when its command line matched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.local import stack
from tests.local.conftest import gone

# Looks like the service to a command-line check: "runtime.cli" and "serve" are in its argv.
FAKE_SERVICE = [sys.executable, "-c", "import time; time.sleep(60)", "runtime.cli", "serve"]


@pytest.fixture
def service() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(FAKE_SERVICE, process_group=0)
    yield process
    process.kill()
    process.wait()


def test_a_copied_state_folder_leaves_the_first_stacks_service_alone(
    tmp_path: Path, service: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first"
    monkeypatch.chdir(tmp_path)
    (first / ".auterity" / "local").mkdir(parents=True)
    monkeypatch.chdir(first)
    stack.SERVICE_PIDFILE.write_text(str(service.pid))
    shutil.copytree(first / ".auterity", tmp_path / "second" / ".auterity")

    monkeypatch.chdir(tmp_path / "second")
    stack._stop_orphaned(stack.SERVICE_PIDFILE, stack.SERVICE_MARKERS)
    assert service.poll() is None, "the second stack stopped the first stack's service"
    assert not gone(service.pid)
