"""Shared helpers for the runtime tests: fixture loading and tiny test-only node types.

The test node types live in a test-local ``Registry`` (never the default one), so they can
block on events, fail on purpose or count their calls without touching ``nodes/``.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from nodes.base import Expr, NodeConfig, NodeContext, NodeType, Outputs
from nodes.loops.foreach import ForEach
from nodes.registry import Registry
from nodes.triggers.manual import Manual
from runtime.core.diagnostics import Diagnostic
from runtime.core.errors import NodeRunError
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file
from runtime.core.types import Port

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "graphs"
DIAGNOSTIC_FIXTURES = FIXTURES / "diagnostics"
UNLOADABLE_FIXTURES = FIXTURES / "unloadable"


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def load_fixture(name: str) -> Graph:
    return load_graph_file(FIXTURES / name)


def fixture_document(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def valid_fixtures() -> list[Path]:
    """Top-level fixtures: graphs that load and validate without errors."""
    return sorted(FIXTURES.glob("*.graph.json"))


def diagnostic_fixtures() -> list[Path]:
    """Graphs that each show one diagnostic, named in ``metadata.expect``."""
    return sorted(DIAGNOSTIC_FIXTURES.glob("*.graph.json"))


def make_graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], **extra: Any) -> Graph:
    return Graph.model_validate({"nodes": nodes, "edges": edges, **extra})


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, f"expected one {code}, got {[d.render() for d in diagnostics]}"
    return found[0]


# --- test-only node types -------------------------------------------------------------------


class Board:
    """Per-test shared state for the test node types (reset by an autouse fixture)."""

    events: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)
    calls: Counter[str] = Counter()
    active = 0
    peak = 0

    @classmethod
    def reset(cls) -> None:
        cls.events = defaultdict(asyncio.Event)
        cls.calls = Counter()
        cls.active = 0
        cls.peak = 0


class RendezvousConfig(NodeConfig):
    signal: Expr = Field(default="", description="Event to set when the node starts.")
    wait: Expr = Field(default="", description="Event to wait for before finishing.")


class Rendezvous(NodeType[RendezvousConfig]):
    """Sets one named event, then waits for another: proves two nodes overlap in time."""

    type = "test.rendezvous"
    title = "Rendezvous"
    category = "logic"
    description = "Set an event, wait for another."
    Config = RendezvousConfig

    async def run(
        self, config: RendezvousConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        signal = ctx.render_text(config.signal)
        wait = ctx.render_text(config.wait)
        Board.calls[ctx.node_id] += 1
        if signal:
            Board.events[signal].set()
        if wait:
            await Board.events[wait].wait()
        return {"out": inputs.get("in")}


class FlakyConfig(NodeConfig):
    failures: int = Field(default=0, ge=0, description="Attempts that fail before one succeeds.")


class Flaky(NodeType[FlakyConfig]):
    type = "test.flaky"
    title = "Flaky"
    category = "logic"
    description = "Fails a given number of times, then succeeds."
    Config = FlakyConfig

    async def run(self, config: FlakyConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        Board.calls[ctx.node_id] += 1
        attempt = Board.calls[ctx.node_id]
        if attempt <= config.failures:
            raise NodeRunError(f"attempt {attempt} failed")
        return {"out": {"attempt": attempt, "input": inputs.get("in")}}


def _recurse(n: int) -> int:
    return _recurse(n + 1) + 1


class RaiseConfig(NodeConfig):
    error: Literal["zero_division", "recursion", "key_error", "run_error"] = "run_error"


class Raise(NodeType[RaiseConfig]):
    type = "test.raise"
    title = "Raise"
    category = "logic"
    description = "Raises an exception of the configured kind."
    Config = RaiseConfig

    async def run(self, config: RaiseConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        Board.calls[ctx.node_id] += 1
        if config.error == "zero_division":
            return {"out": 1 / 0}
        if config.error == "recursion":
            return {"out": _recurse(0)}
        if config.error == "key_error":
            empty: dict[str, Any] = {}
            return {"out": empty["missing"]}
        raise NodeRunError("this node always fails")


class BadOutputConfig(NodeConfig):
    shape: Literal["list", "unknown_port"] = "list"


class BadOutput(NodeType[BadOutputConfig]):
    type = "test.bad_output"
    title = "Bad output"
    category = "logic"
    description = "Breaks the node contract on purpose."
    Config = BadOutputConfig

    async def run(self, config: BadOutputConfig, inputs: dict[str, Any], ctx: NodeContext) -> Any:
        if config.shape == "list":
            return [inputs.get("in")]
        return {"surprise": 1}


class ProbeConfig(NodeConfig):
    yields: int = Field(default=5, ge=1, le=100)


class Probe(NodeType[ProbeConfig]):
    """Counts how many probes are running at once (``Board.peak``), by yielding, not sleeping."""

    type = "test.probe"
    title = "Probe"
    category = "logic"
    description = "Records the peak number of concurrently running probes."
    Config = ProbeConfig

    async def run(self, config: ProbeConfig, inputs: dict[str, Any], ctx: NodeContext) -> Outputs:
        Board.active += 1
        Board.peak = max(Board.peak, Board.active)
        try:
            for _ in range(config.yields):
                await asyncio.sleep(0)
        finally:
            Board.active -= 1
        return {"out": inputs.get("in")}


class HttpTriggerConfig(NodeConfig):
    pass


class HttpTrigger(NodeType[HttpTriggerConfig]):
    type = "test.http_trigger"
    title = "HTTP trigger"
    category = "trigger"
    description = "A trigger whose caller waits for a response."
    Config = HttpTriggerConfig
    trigger = True
    needs_response = True
    inputs = ()
    outputs = (Port(name="out"),)

    async def run(
        self, config: HttpTriggerConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        return {"out": ctx.scope.get("trigger")}


class Respond(NodeType[HttpTriggerConfig]):
    type = "test.respond"
    title = "Respond"
    category = "output"
    description = "Its output is the HTTP response."
    Config = HttpTriggerConfig
    responds = True

    async def run(
        self, config: HttpTriggerConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        return {"out": {"status": 200, "body": inputs.get("in")}}


TEST_TYPES: list[type[NodeType[Any]]] = [
    Rendezvous,
    Flaky,
    Raise,
    BadOutput,
    Probe,
    HttpTrigger,
    Respond,
]


def make_test_registry() -> Registry:
    """The manual trigger and for-each, plus the test-only node types."""
    return Registry([Manual, ForEach, *TEST_TYPES])
