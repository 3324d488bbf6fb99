"""Cold import of the Lambda handler module vs a bare FastAPI app wrapped by Mangum.

Each import runs in a fresh interpreter (``import X`` timed inside it, so interpreter start-up
is left out), ``RUNS`` times per module with the modules taking turns; the median counts.
Bytecode is cached for everything alike: a private ``PYTHONPYCACHEPREFIX`` (so nothing is
written next to the sources) primed by one untimed import of each module, which is what a
Lambda package with compiled bytecode gets. The environment lets the handler build its boto3
client offline: a region, fake credentials and a token secret, and no endpoint.

Rows: the target (handler vs ``bench.servers.bare_lambda``), the same handler against
``bench.servers.boto3_lambda`` (bare plus a boto3 DynamoDB client: the floor for any handler
that talks to DynamoDB), and what ``-X importtime`` says the handler imports that only
validating and compiling need (``runtime.engine.bundle.BUILD_ONLY``) or that it need not load at
start-up, with the import chain that pulls each in (``DEFERRABLE``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.report import INFO, Row, verdict
from runtime.engine.bundle import BUILD_ONLY

ROOT = Path(__file__).resolve().parent.parent
HANDLER = "runtime.service.lambda_handler"
BARE = "bench.servers.bare_lambda"
FLOOR = "bench.servers.boto3_lambda"
TARGET_RATIO = 1.5
RUNS = 7
TIMEOUT_S = 60.0
DEFERRABLE = frozenset({*BUILD_ONLY, "jwt"})
"""Packages no request needs before it runs: networkx, typer and rich only validate and compile
(the service compiles a graph version once, on its first request), PyJWT only reads bearer
tokens of management calls (and loads ``cryptography`` with it when that is installed)."""
SHOWN = 4

TIMER = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _env(cache: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "AUTERITY_", "POWERTOOLS_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AUTERITY_TOKEN_SECRET="bench-token-secret-" + "x" * 40,
        PYTHONPYCACHEPREFIX=str(cache),
        PYTHONPATH=str(ROOT),
    )
    return env


def _import_seconds(module: str, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", TIMER.format(module=module)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True, slots=True)
class Imported:
    name: str
    self_us: int
    cumulative_us: int
    depth: int


def _importtime(module: str, env: dict[str, str]) -> list[Imported]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    entries = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip())) // 2
        entries.append(Imported(name.strip(), int(self_us), int(cumulative_us), depth))
    return entries


def _first_loads(entries: list[Imported]) -> list[tuple[str, int, str]]:
    """Each deferrable package as first loaded: name, cumulative µs, chain of our importers.

    ``-X importtime`` prints a module after everything it imports, one level deeper, so a
    module's importer is the next line at a smaller depth. A package loaded inside another
    listed one is left to that one, so nothing is counted twice.
    """
    found = []
    for i, entry in enumerate(entries):
        if entry.name not in DEFERRABLE:
            continue
        ancestors, depth = [], entry.depth
        for later in entries[i + 1 :]:
            if later.depth < depth:
                depth = later.depth
                ancestors.append(later.name)
        if any(a in DEFERRABLE for a in ancestors):
            continue
        ours = [a.removeprefix("runtime.") for a in ancestors if a.startswith("runtime.")]
        found.append((entry.name, entry.cumulative_us, " ← ".join(ours[:3])))
    return sorted(found, key=lambda f: -f[1])


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="auterity-pycache-") as cache:
        env = _env(Path(cache))
        modules = (HANDLER, BARE, FLOOR)
        for module in modules:  # prime the bytecode cache
            _import_seconds(module, env)
        times: dict[str, list[float]] = {m: [] for m in modules}
        for _ in range(RUNS):
            for module in modules:
                times[module].append(_import_seconds(module, env))
        entries = _importtime(HANDLER, env)
    handler, bare, floor = (statistics.median(times[m]) * 1e3 for m in modules)
    ratio = handler / bare
    loads = _first_loads(entries)
    deferrable_ms = sum(us for _, us, _ in loads) / 1e3
    shown = "; ".join(
        f"{name} {us / 1e3:.0f} ms" + (f" (← {chain})" if chain else "")
        for name, us, chain in loads[:SHOWN]
    )
    return [
        Row(
            benchmark=f"Lambda handler cold import [median of {RUNS}, fresh processes, .pyc]",
            measured=f"{handler:.0f} ms ({HANDLER})",
            baseline=f"{bare:.0f} ms (FastAPI app + 1 route + Mangum)",
            ratio=f"{ratio:.2f}x",
            target=f"≤ {TARGET_RATIO:g}x",
            verdict=verdict(ratio <= TARGET_RATIO),
        ),
        Row(
            benchmark="  diag: vs the floor with a boto3 DynamoDB client",
            measured=f"{handler:.0f} ms",
            baseline=f"{floor:.0f} ms (FastAPI + Mangum + boto3.client)",
            ratio=f"{handler / floor:.2f}x",
            target="-",
            verdict=INFO,
        ),
        Row(
            benchmark="  diag: deferrable imports at start-up (-X importtime, cumulative)",
            measured=f"{deferrable_ms:.0f} ms: {shown}" if loads else "none",
            baseline=f"{handler - bare:.0f} ms over bare",
            ratio=f"{deferrable_ms / (handler - bare):.0%} of the excess" if loads else "-",
            target="-",
            verdict=INFO,
        ),
    ]
