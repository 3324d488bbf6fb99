"""Run the ``auterity`` CLI in a subprocess with bounded time and memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]
MEMORY_LIMIT = 2 * 1024**3
"""Address-space limit of the CLI process: a hostile file must not exhaust the machine."""


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("auterity")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from runtime.cli import main; main()"]


def limit_memory() -> None:
    """``preexec_fn``: runs in the child, before exec."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(
    *args: str, timeout: float = 60.0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``env`` adds to (or overrides) this process's environment."""
    env = {
        **os.environ,
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": str(REPO),  # this checkout's code, whichever one the venv installed
        **(env or {}),
    }
    return subprocess.run(
        [*cli_command(), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        cwd=REPO,
        env=env,
        preexec_fn=limit_memory,
        check=False,
    )


def one_line_error(stderr: str) -> str | None:
    """Why ``stderr`` is not a single ``error: ...`` line, or None when it is."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if "Traceback" in stderr:
        return f"traceback on stderr: {stderr[-400:]!r}"
    if len(lines) != 1:
        return f"expected one line on stderr, got {len(lines)}: {stderr[:400]!r}"
    if not lines[0].startswith("error:"):
        return f"stderr line does not start with 'error:': {lines[0][:200]!r}"
    if len(lines[0]) > 1000:
        return f"error line is {len(lines[0])} characters long"
    return None
