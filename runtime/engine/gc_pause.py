"""Pausing or freezing the cyclic garbage collector where its passes cost more than they find.

Validating and compiling a 10,000-node graph allocates a few hundred thousand objects and no
reference cycles; the collector would still run full passes over them (half the time at that
size, measured in ``bench/``). The work is bounded by the validator's node limit. A serving
process freezes what it built at start-up for a like reason (``freeze_startup_heap``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def freeze_startup_heap() -> None:
    """Exempt everything start-up built from every later collection; call once, when serving.

    A service's heap is mostly what it imported (FastAPI, pydantic, botocore's service models)
    and lives as long as the process. The collector's full passes still walk all of it, and
    the event loop stands still while they do: 80 ms a pass under the HTTP benchmark, which
    was the whole of its p99 gap. Frozen, those objects are skipped; what requests allocate
    later is collected as before. ``gc.freeze`` only moves a list head, so cold starts pay
    nothing for it.
    """
    gc.freeze()
