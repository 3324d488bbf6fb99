import asyncio
import time

import pytest

from runtime.core.errors import NodeRunError
from runtime.core.options import RunOptions
from tests.nodes.helpers import run_node


async def test_waits_then_passes_the_input_through() -> None:
    started = time.monotonic()
    out = await run_node("logic.delay", {"seconds": 0.05}, {"in": {"a": 1}})
    assert out == {"out": {"a": 1}}
    assert time.monotonic() - started >= 0.05


async def test_seconds_from_an_expression() -> None:
    out = await run_node("logic.delay", {"seconds": "{{ input.wait }}"}, {"in": {"wait": "0.01"}})
    assert out == {"out": {"wait": "0.01"}}


@pytest.mark.parametrize(
    ("wait", "message"),
    [("soon", "got 'soon'"), (-1, "non-negative"), ([1], "got list"), ("nan", "non-negative")],
)
async def test_bad_seconds_are_clear_errors(wait: object, message: str) -> None:
    with pytest.raises(NodeRunError, match=message):
        await run_node("logic.delay", {"seconds": "{{ input.wait }}"}, {"in": {"wait": wait}})


async def test_bounded_by_the_workspace_limit() -> None:
    with pytest.raises(NodeRunError, match=r"longer than this workspace allows \(5 s\)"):
        await run_node(
            "logic.delay", {"seconds": 60}, {"in": 1}, options=RunOptions(max_delay_seconds=5)
        )


async def test_cancelling_the_run_cancels_the_wait() -> None:
    task = asyncio.create_task(run_node("logic.delay", {"seconds": 60}, {"in": 1}))
    await asyncio.sleep(0.01)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1
