"""Pausing the cyclic garbage collector around bulk model building.

Validating and compiling a 10,000-node graph allocates a few hundred thousand objects and no
reference cycles; the collector would still run full passes over them (half the time at that
size, measured in ``bench/``). The work is bounded by the validator's node limit.
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
