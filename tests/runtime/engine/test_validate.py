"""Validation: one diagnostic per problem, pinned to the node, edge, port or config path.

Each code has a fixture in ``tests/fixtures/graphs/diagnostics/`` whose ``metadata.expect``
names the diagnostic it must produce; the tests below add what each code promises on top.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nodes.registry import Registry, default_registry
from runtime.core.diagnostics import Diagnostic, has_errors
from runtime.core.graph import Graph, Node
from runtime.core.types import NodeId
from runtime.engine.validate import MAX_NODES, analyze, validate
from tests.runtime.support import (
    DIAGNOSTIC_FIXTURES,
    codes,
    diagnostic_fixtures,
    load_fixture,
    make_graph,
    only,
    valid_fixtures,
)


def _diagnostics(name: str, registry: Registry | None = None) -> list[Diagnostic]:
    return validate(load_fixture(name), registry)


# --- the fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", valid_fixtures(), ids=lambda p: p.name)
def test_valid_fixtures_have_no_diagnostics(path: Path) -> None:
    assert [d.render() for d in validate(load_fixture(path.name))] == []


@pytest.mark.parametrize("path", diagnostic_fixtures(), ids=lambda p: p.name)
def test_diagnostic_fixture_reports_what_it_shows(path: Path) -> None:
    expect: dict[str, Any] = json.loads(path.read_text())["metadata"]["expect"]
    expect.setdefault("severity", "error")
    found = validate(load_fixture(f"diagnostics/{path.name}"))
    matching = [d for d in found if all(getattr(d, key) == value for key, value in expect.items())]
    assert matching, f"no {expect} in {[d.render() for d in found]}"


def test_every_fixture_diagnostic_code_is_distinct() -> None:
    expected = [
        json.loads(p.read_text())["metadata"]["expect"]["code"] for p in diagnostic_fixtures()
    ]
    assert len(expected) == len(set(expected))
    assert DIAGNOSTIC_FIXTURES.is_dir()


# --- one test per code ------------------------------------------------------------------------


def test_duplicate_id() -> None:
    d = only(_diagnostics("diagnostics/duplicate-id.graph.json"), "node.duplicate_id")
    assert d.severity == "error"
    assert d.node == "greet"
    assert "'greet'" in d.message


def test_unknown_type_suggests_the_closest_name() -> None:
    d = only(_diagnostics("diagnostics/unknown-type.graph.json"), "node.unknown_type")
    assert (d.node, d.path) == ("greet", "type")
    assert "transform.sett" in d.message
    assert d.hint.startswith("did you mean transform.set")


def test_unknown_type_with_nothing_close_points_at_the_node_list() -> None:
    graph = make_graph(
        [{"id": "start", "type": "trigger.manual"}, {"id": "x", "type": "zzzzzz"}],
        [{"source": "start", "target": "x"}],
    )
    d = only(validate(graph), "node.unknown_type")
    assert "auterity nodes" in d.hint


def test_unknown_version_lists_the_available_ones() -> None:
    d = only(_diagnostics("diagnostics/unknown-version.graph.json"), "node.unknown_version")
    assert (d.node, d.path) == ("greet", "version")
    assert "no version 7" in d.message
    assert "available: 1" in d.message


def test_dangling_edge_names_the_missing_node() -> None:
    d = only(_diagnostics("diagnostics/dangling-edge.graph.json"), "edge.dangling")
    assert d.edge == "greet.out->ghost.in"
    assert "'ghost'" in d.message


def test_unknown_port_lists_the_ports_there_are() -> None:
    d = only(_diagnostics("diagnostics/unknown-port.graph.json"), "edge.unknown_port")
    assert (d.node, d.port) == ("check", "maybe")
    assert "error, false, true" in d.message


def test_unknown_input_port() -> None:
    graph = make_graph(
        [{"id": "start", "type": "trigger.manual"}, {"id": "greet", "type": "transform.set"}],
        [{"source": "start", "target": "greet", "target_port": "body"}],
    )
    d = only(validate(graph), "edge.unknown_port")
    assert (d.node, d.port) == ("greet", "body")
    assert "no input port 'body'" in d.message


def test_type_mismatch_names_both_types() -> None:
    d = only(_diagnostics("diagnostics/type-mismatch.graph.json"), "edge.type_mismatch")
    assert (d.node, d.port) == ("greet", "in")
    assert "array<any>" in d.message
    assert "object" in d.message


def test_multiple_inputs_names_the_sources_and_suggests_merge() -> None:
    d = only(_diagnostics("diagnostics/multiple-inputs.graph.json"), "edge.multiple_inputs")
    assert (d.node, d.port) == ("join", "in")
    assert "from left, right" in d.message
    assert "Merge" in d.hint


def test_edge_crossing_into_a_body_is_refused() -> None:
    d = only(_diagnostics("diagnostics/crosses-scope.graph.json"), "edge.crosses_scope")
    assert d.node == "report"
    assert d.edge == "tag.out->report.in"


def test_missing_required_input() -> None:
    d = only(_diagnostics("diagnostics/missing-input.graph.json"), "port.missing_input")
    assert (d.node, d.port) == ("lonely", "in")


def test_cycle_names_every_node_in_it() -> None:
    d = only(_diagnostics("diagnostics/cycle.graph.json"), "graph.cycle")
    assert set(d.nodes) == {"gate", "draft", "review"}
    assert len(d.nodes) == 3
    for node in ("gate", "draft", "review"):
        assert node in d.message
    assert "start" not in d.nodes
    assert "For-each" in d.hint


def test_self_loop_is_a_cycle() -> None:
    graph = make_graph(
        [{"id": "start", "type": "trigger.manual"}, {"id": "again", "type": "logic.merge"}],
        [
            {"source": "start", "target": "again", "target_port": "in_1"},
            {"source": "again", "target": "again", "target_port": "in_2"},
        ],
    )
    assert only(validate(graph), "graph.cycle").nodes == ("again",)


def test_no_trigger() -> None:
    d = only(_diagnostics("diagnostics/no-trigger.graph.json"), "graph.no_trigger")
    assert d.node is None
    assert "Manual" in d.hint


def test_multiple_triggers_names_them_all() -> None:
    d = only(_diagnostics("diagnostics/multiple-triggers.graph.json"), "graph.multiple_triggers")
    assert set(d.nodes) == {"by_hand", "nightly"}
    assert "2 triggers" in d.message


def test_unreachable_node_is_only_a_warning() -> None:
    found = _diagnostics("diagnostics/unreachable.graph.json")
    d = only(found, "node.unreachable")
    assert (d.severity, d.node) == ("warning", "orphan")
    assert not has_errors(found)


def test_invalid_config_points_at_the_field_path() -> None:
    d = only(_diagnostics("diagnostics/invalid-config.graph.json"), "config.invalid")
    assert d.node == "greet"
    assert d.path == "config.fields[0].path"
    assert "Field required" in d.message


def test_invalid_config_from_a_node_types_own_check() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "join", "type": "logic.merge", "config": {"mode": "join"}},
        ],
        [{"source": "start", "target": "join", "target_port": "in_1"}],
    )
    d = only(validate(graph), "config.invalid")
    assert (d.node, d.path) == ("join", "config.key")


def test_config_nested_too_deep() -> None:
    deep: Any = "leaf"
    for _ in range(40):
        deep = {"x": deep}
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual", "config": {"sample": deep}},
            {"id": "greet", "type": "transform.set"},
        ],
        [{"source": "start", "target": "greet"}],
    )
    d = only(validate(graph), "config.too_deep")
    assert (d.node, d.path) == ("start", "config")


def test_expression_syntax_error_points_at_the_value() -> None:
    d = only(_diagnostics("diagnostics/expression-syntax.graph.json"), "expression.syntax")
    assert d.node == "greet"
    assert d.path == "config.fields[1].value"
    assert "input.[" in d.message


def test_expression_syntax_error_in_a_query_field() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "shape", "type": "transform.pick", "config": {"query": "leads[?"}},
        ],
        [{"source": "start", "target": "shape"}],
    )
    d = only(validate(graph), "expression.syntax")
    assert (d.node, d.path) == ("shape", "config.query")


def test_webhook_without_respond() -> None:
    d = only(_diagnostics("diagnostics/webhook-no-respond.graph.json"), "graph.no_respond")
    assert d.node == "hook"
    assert "Respond" in d.hint


def test_no_respond_comes_from_the_trigger_type(registry: Registry) -> None:
    nodes = [{"id": "call", "type": "test.http_trigger"}, {"id": "work", "type": "test.flaky"}]
    edges = [{"source": "call", "target": "work"}]
    assert "graph.no_respond" in codes(validate(make_graph(nodes, edges), registry))
    nodes.append({"id": "reply", "type": "test.respond"})
    edges.append({"source": "work", "target": "reply"})
    assert validate(make_graph(nodes, edges), registry) == []


def test_foreach_without_result() -> None:
    d = only(_diagnostics("diagnostics/foreach-no-result.graph.json"), "foreach.no_result")
    assert (d.node, d.port) == ("each", "result")


@pytest.mark.parametrize(
    ("parent", "fragment"), [("shape", "is not a for-each"), ("ghost", "does not exist")]
)
def test_bad_parent(parent: str, fragment: str) -> None:
    graph = load_fixture("diagnostics/bad-parent.graph.json")
    graph.nodes[2].parent = NodeId(parent)
    d = only(validate(graph), "node.bad_parent")
    assert (d.node, d.path) == ("greet", "parent")
    assert fragment in d.message


def test_parents_that_form_a_loop() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "outer", "type": "logic.foreach", "parent": "inner"},
            {"id": "inner", "type": "logic.foreach", "parent": "outer"},
        ],
        [{"source": "start", "target": "outer"}],
    )
    assert "node.bad_parent" in codes(validate(graph))


def test_expression_reading_an_unknown_node_warns() -> None:
    found = _diagnostics("diagnostics/expression-unknown-node.graph.json")
    d = only(found, "expression.unknown_node")
    assert (d.severity, d.node) == ("warning", "greet")
    assert "nodes.lookup" in d.message
    assert not has_errors(found)


def test_expression_reading_a_downstream_node_warns() -> None:
    found = _diagnostics("diagnostics/expression-not-upstream.graph.json")
    d = only(found, "expression.not_upstream")
    assert (d.severity, d.node) == ("warning", "greet")
    assert "nodes.later" in d.message
    assert not has_errors(found)


def test_expression_reading_an_upstream_node_is_fine() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "a", "type": "transform.set"},
            {
                "id": "b",
                "type": "transform.set",
                "config": {
                    "fields": [{"path": "x", "value": "{{ nodes.start.id }} {{ nodes.a.y }}"}]
                },
            },
        ],
        [{"source": "start", "target": "a"}, {"source": "a", "target": "b"}],
    )
    assert validate(graph) == []


def test_duplicate_edge_id() -> None:
    graph = make_graph(
        [
            {"id": "start", "type": "trigger.manual"},
            {"id": "a", "type": "transform.set"},
            {"id": "b", "type": "transform.set"},
        ],
        [
            {"id": "e1", "source": "start", "target": "a"},
            {"id": "e1", "source": "a", "target": "b"},
        ],
    )
    d = only(validate(graph), "edge.duplicate_id")
    assert d.edge == "e1"


def test_trigger_inside_a_foreach_body() -> None:
    graph = load_fixture("foreach-branch.graph.json")
    graph.nodes.append(Node(id="inner_start", type="trigger.manual", parent=NodeId("each")))
    d = only(validate(graph), "node.trigger_in_body")
    assert d.node == "inner_start"


def test_respond_inside_a_foreach_body() -> None:
    graph = load_fixture("webhook-respond.graph.json")
    graph.nodes += [
        Node(id="each", type="logic.foreach"),
        Node(id="inner_reply", type="http.respond", parent=NodeId("each")),
    ]
    d = only(validate(graph), "node.respond_in_body")
    assert d.node == "inner_reply"


def test_empty_foreach_body_is_a_warning() -> None:
    found = _diagnostics("diagnostics/type-mismatch.graph.json")
    d = only(found, "foreach.empty_body")
    assert (d.severity, d.node) == ("warning", "each")


def test_too_large_graph_is_refused_without_further_checks() -> None:
    graph = Graph(nodes=[Node(id=f"n{i}", type="transform.set") for i in range(MAX_NODES + 1)])
    found = validate(graph)
    assert codes(found) == ["graph.too_large"]
    assert str(MAX_NODES) in found[0].message


# --- never raises -----------------------------------------------------------------------------

_TYPES = [t.type for t in default_registry().latest()] + ["no.such_type"]
_IDS = ["a", "b", "c", "d", "e"]
_PORTS = ["in", "out", "item", "result", "error", "true", "false", "in_1", "in_2", "zz"]
_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=10),
    st.sampled_from(["{{ input }}", "{{ nodes.a.x }}", "{{ [ }}", "{{ item }}", "{{"]),
)
_value = st.recursive(
    _leaf,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["fields", "path", "value", "query", "items", "conditions", "key", "x"]
            ),
            children,
            max_size=3,
        )
    ),
    max_leaves=10,
)
_node = st.fixed_dictionaries(
    {"id": st.sampled_from(_IDS), "type": st.sampled_from(_TYPES)},
    optional={
        "config": st.dictionaries(
            st.sampled_from(["fields", "query", "items", "condition", "cases", "mode", "inputs"]),
            _value,
            max_size=3,
        ),
        "parent": st.sampled_from(_IDS),
        "version": st.integers(1, 3),
    },
)
_edge = st.fixed_dictionaries(
    {
        "source": st.sampled_from([*_IDS, "ghost"]),
        "target": st.sampled_from([*_IDS, "ghost"]),
        "source_port": st.sampled_from(_PORTS),
        "target_port": st.sampled_from(_PORTS),
    },
    optional={"id": st.sampled_from(["e1", "e2"])},
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes=st.lists(_node, max_size=6), edges=st.lists(_edge, max_size=8))
def test_validation_never_raises(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    graph = make_graph(nodes, edges)
    found = validate(graph)
    assert not [d.render() for d in found if d.code.startswith("internal.")]
    assert analyze(graph).ok == (not has_errors(found))


# --- order independence -----------------------------------------------------------------------


def _shuffled_results(graph: Graph) -> dict[frozenset[Diagnostic], tuple[list[str], list[str]]]:
    """Diagnostics for every ordering of the nodes, then of the edges."""
    seen: dict[frozenset[Diagnostic], tuple[list[str], list[str]]] = {}
    orders = [(list(p), graph.edges) for p in itertools.permutations(graph.nodes)]
    orders += [(graph.nodes, list(p)) for p in itertools.permutations(graph.edges)]
    for nodes, edges in orders:
        shuffled = graph.model_copy(update={"nodes": nodes, "edges": edges})
        key = frozenset(validate(shuffled))
        seen.setdefault(key, ([n.id for n in nodes], [e.key for e in edges]))
    return seen


def test_order_of_nodes_and_edges_does_not_change_a_valid_graphs_diagnostics() -> None:
    graph = load_fixture("diamond.graph.json")
    graph.nodes.append(Node(id="orphan", type="logic.merge"))
    graph.nodes[1].config["fields"].append({"path": "late", "value": "{{ nodes.count }}"})
    results = _shuffled_results(graph)
    assert len(results) == 1
    (found,) = results
    assert {d.code for d in found} == {"node.unreachable", "expression.not_upstream"}


@pytest.mark.parametrize(
    "name",
    [
        "diagnostics/cycle.graph.json",
        "diagnostics/multiple-triggers.graph.json",
        "diagnostics/crosses-scope.graph.json",
        "diagnostics/multiple-inputs.graph.json",
    ],
)
def test_order_of_nodes_and_edges_does_not_change_an_invalid_graphs_diagnostics(name: str) -> None:
    results = _shuffled_results(load_fixture(name))
    assert len(results) == 1, "\n".join(
        f"nodes {order[0]} edges {order[1]}: {sorted(d.render() for d in found)}"
        for found, order in results.items()
    )
