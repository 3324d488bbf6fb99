"""The one row type every benchmark returns, plus the timing helper they share."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

PASS, FAIL, INFO = "PASS", "FAIL", "info"


@dataclass(frozen=True, slots=True)
class Row:
    benchmark: str
    measured: str
    baseline: str
    ratio: str
    target: str
    verdict: str = INFO


def verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def measure(
    fn: Callable[[], object],
    *,
    repeats: int = 5,
    warmup: int = 1,
    budget_s: float = 5.0,
    setup: Callable[[], object] | None = None,
) -> tuple[float, int]:
    """Best (minimum) seconds of ``fn()`` over up to ``repeats`` timed runs, and how many ran.

    The minimum, not the median: on a shared machine the noise is other processes taking the
    CPU, which only ever adds time.

    Stops early once ``budget_s`` of timed work is spent (always at least one run), so a
    pathological case costs one run instead of blowing the whole ``make bench`` budget.
    ``setup`` runs untimed before every call; the heap is collected first so each run starts
    from the same garbage-collector state.
    """
    for _ in range(warmup):
        if setup is not None:
            setup()
        fn()
    times: list[float] = []
    while len(times) < repeats and (not times or sum(times) < budget_s):
        if setup is not None:
            setup()
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), len(times)


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"
