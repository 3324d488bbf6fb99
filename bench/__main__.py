"""Run every benchmark and print one table: benchmark, measured, baseline, ratio, target, verdict.

The verdicts report; they do not gate. Timings on shared CI machines are too noisy to fail a
build on, which is why each row compares against a baseline measured in the same run.
"""

from __future__ import annotations

import platform
import sys
import time

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bench import (
    ai_router,
    builder_canvas,
    bundle_size,
    executor_overhead,
    http_endpoint,
    lambda_cold_start,
    validate_compile,
)
from bench.report import FAIL, PASS, Row

SUITES = (
    executor_overhead,
    validate_compile,
    bundle_size,
    lambda_cold_start,
    http_endpoint,
    ai_router,
    builder_canvas,
)
STYLES = {PASS: "bold green", FAIL: "bold red"}


def main() -> int:
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)  # piped or captured: don't squeeze the table to 80 columns
    progress = Console(stderr=True)
    started = time.perf_counter()
    rows: list[Row] = []
    for suite in SUITES:
        # Plain progress lines, not a spinner: a live display thread would steal the GIL
        # from the code being timed.
        progress.print(f"[dim]running {suite.__name__} ...[/]")
        rows += suite.run()
    elapsed = time.perf_counter() - started
    table = Table(
        title="Auterity benchmarks",
        caption=(
            f"Python {platform.python_version()} ({platform.machine()}). Best of repeated runs"
            f" after warm-up, gc.collect() before each (cold imports: median of fresh"
            f" processes); every ratio is within this run."
            f" Total {elapsed:.0f} s."
        ),
    )
    for column in ("benchmark", "measured", "baseline", "ratio", "target", "verdict"):
        table.add_column(column, overflow="fold")
    for row in rows:
        style = STYLES.get(row.verdict, "dim")
        # Labels are plain text: "[best of 3]" must print, not be taken for a style tag.
        cells = (row.benchmark, row.measured, row.baseline, row.ratio, row.target)
        table.add_row(*map(escape, cells), f"[{style}]{row.verdict}[/]")
    console.print(table)
    failed = [row.benchmark.strip() for row in rows if row.verdict == FAIL]
    if failed:
        console.print(f"[bold red]{len(failed)} target(s) missed:[/] " + escape("; ".join(failed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
