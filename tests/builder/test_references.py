"""Upstream references: what an expression field may read, in the executor's own syntax."""

from __future__ import annotations

from typing import Any

from builder.canvas import flow
from builder.inspector.references import member, references, sample_paths, upstream_ids
from nodes.registry import default_registry
from runtime.core import expr
from runtime.core.graph import Edge, Graph, Node
from runtime.engine.compile import build_plan
from runtime.engine.executor import Executor
from runtime.engine.validate import validate


def _canvas(graph: Graph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return flow.graph_to_flow(graph)


def _edge(source: str, target: str, sp: str = "out", tp: str = "in") -> Edge:
    return Edge(source=source, source_port=sp, target=target, target_port=tp)


def _set(node_id: str, value: str = "x", parent: str | None = None) -> Node:
    config = {"fields": [{"path": "v", "value": value}]}
    return Node(id=node_id, type="transform.set", config=config, parent=parent)


def test_transitive_upstream_nearest_first_and_nothing_else() -> None:
    graph = Graph(
        nodes=[
            Node(id="hook", type="trigger.manual"),
            _set("a"),
            _set("b"),
            _set("side"),
            _set("after"),
        ],
        edges=[_edge("hook", "a"), _edge("a", "b"), _edge("hook", "side"), _edge("b", "after")],
    )
    nodes, edges = _canvas(graph)
    assert upstream_ids(nodes, edges, "b") == ["a", "hook"]
    refs = references(nodes, edges, "b")
    exprs = [r.expression for r in refs]
    assert exprs == ["input", "nodes.a", "nodes.hook", "trigger", "run.id", "run.started_at"]
    by_expr = {r.expression: r for r in refs}
    assert by_expr["nodes.a"].label == "Set fields (a)"
    assert "out" in by_expr["nodes.a"].detail
    # A trigger reads no input; nothing runs before it.
    assert [r.expression for r in references(nodes, edges, "hook")][:1] == ["trigger"]


def test_labels_name_the_node_as_the_canvas_does() -> None:
    graph = Graph(
        nodes=[Node(id="hook", type="trigger.manual", label="Lead arrives"), _set("a")],
        edges=[_edge("hook", "a")],
    )
    nodes, edges = _canvas(graph)
    labels = {r.expression: r.label for r in references(nodes, edges, "a")}
    assert labels["nodes.hook"] == "Lead arrives (hook)"


def test_for_each_bodies() -> None:
    graph = Graph(
        nodes=[
            Node(id="hook", type="trigger.manual"),
            Node(id="loop", type="logic.foreach"),
            _set("inner", parent="loop"),
            _set("inner2", parent="loop"),
            Node(id="after", type="transform.json_format"),
        ],
        edges=[
            _edge("hook", "loop"),
            _edge("loop", "inner", sp="item"),
            _edge("inner", "inner2"),
            _edge("inner2", "loop", tp="result"),
            _edge("loop", "after"),
        ],
    )
    assert not [d for d in validate(graph) if d.severity == "error"]
    nodes, edges = _canvas(graph)
    inner2 = [r.expression for r in references(nodes, edges, "inner2")]
    assert inner2[:5] == ["input", "item", "index", "nodes.inner", "nodes.hook"]
    assert "nodes.loop" not in inner2  # the container has no output while its body runs
    after = [r.expression for r in references(nodes, edges, "after")]
    assert "nodes.loop" in after
    assert "nodes.inner" not in after  # a body's nodes are not visible after the loop
    assert "item" not in after


def test_ids_that_are_not_identifiers_are_quoted() -> None:
    assert member("set_1") == "set_1"
    assert member("my-node") == '"my-node"'
    assert expr.referenced_nodes('{{ nodes."my-node".v }}') == {"my-node"}


def test_sample_paths_from_a_test_run() -> None:
    value = {"status": 200, "body": {"lead": {"email": "a@b"}, "tags": ["x"]}, "odd key": 1}
    paths = sample_paths(value, "nodes.http")
    assert paths[:3] == ["nodes.http.status", "nodes.http.body", 'nodes.http."odd key"']
    assert "nodes.http.body.lead.email" in paths
    assert "nodes.http.body.tags[0]" in paths
    graph = Graph(
        nodes=[Node(id="hook", type="trigger.manual"), _set("a")], edges=[_edge("hook", "a")]
    )
    nodes, edges = _canvas(graph)
    refs = references(nodes, edges, "a", samples={"hook": {"id": 7}, "a": {"ignored": 1}})
    samples = [r.expression for r in refs if r.group == "sample"]
    assert samples == ["nodes.hook.id"]


async def test_the_offered_references_read_real_data_in_the_executor() -> None:
    """Every node reference offered is one the executor resolves, quoted ids included."""
    graph = Graph(
        nodes=[
            Node(id="hook", type="trigger.manual"),
            Node(
                id="first-step",
                type="transform.set",
                config={"fields": [{"path": "greeting", "value": "hi {{ input.name }}"}]},
            ),
            _set("last"),
        ],
        edges=[_edge("hook", "first-step"), _edge("first-step", "last")],
    )
    nodes, edges = _canvas(graph)
    offered = {r.expression for r in references(nodes, edges, "last") if r.group == "node"}
    assert offered == {'nodes."first-step"', "nodes.hook"}
    fields = [
        {"path": "from_step", "value": '{{ nodes."first-step".greeting }}'},
        {"path": "from_hook", "value": "{{ nodes.hook.name }}"},
    ]
    graph.nodes[2] = graph.nodes[2].model_copy(update={"config": {"fields": fields}})
    assert not [d for d in validate(graph) if d.code.startswith("expression")]
    registry = default_registry()
    result = await Executor(build_plan(graph, registry), registry).run({"name": "Ada"})
    assert result.status == "succeeded"
    trace = result.node("last")
    assert trace is not None
    out = trace.outputs["out"]
    assert (out["from_step"], out["from_hook"]) == ("hi Ada", "Ada")
