"""Tidy up: layered left-to-right layout of graphs, cycles and disconnected parts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from builder.canvas import flow, layout
from runtime.core.load import load_graph_file

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.graph.json"))


def test_each_node_sits_one_column_right_of_its_furthest_predecessor() -> None:
    # a -> b -> c, and a -> c directly: c goes after b, not next to it.
    cols = layout.layers(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")])
    assert cols == [["a"], ["b"], ["c"]]


def test_branches_share_a_column_in_the_preferred_order() -> None:
    cols = layout.layers(["s", "x", "y", "j"], [("s", "y"), ("s", "x"), ("x", "j"), ("y", "j")])
    assert cols == [["s"], ["x", "y"], ["j"]]


def test_barycentres_untangle_crossing_edges() -> None:
    # Column 1 in the given order is (p, q), but p feeds the lower and q the upper target.
    ids = ["p", "q", "low", "high"]
    cols = layout.layers(ids, [("p", "low"), ("q", "high"), ("p", "x"), ("high", "z")])
    assert cols[0] == ["p", "q"]
    assert cols[1] == ["low", "high"]


def test_cycles_and_self_loops_do_not_stop_the_layout() -> None:
    cols = layout.layers(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    assert cols == [["a"], ["b", "c"], ["d"]]
    assert layout.layers(["a"], [("a", "a"), ("a", "ghost")]) == [["a"]]


def test_positions_point_every_edge_right_and_stack_disconnected_parts() -> None:
    links = [("a", "b"), ("b", "c"), ("x", "y")]
    sizes = {n: (100.0, 40.0) for n in "abcxy"}
    pos = layout.layered_positions(["a", "b", "c", "x", "y"], links, sizes, origin=(10, 20))
    for source, target in links:
        assert pos[source][0] < pos[target][0]
    assert pos["a"] == (10, 20)
    assert pos["b"][0] == 10 + 100 + layout.Spacing().column
    # The second part starts below the first one.
    assert pos["x"][1] >= 20 + 40 + layout.Spacing().part
    assert pos["x"][0] == 10


def test_nodes_of_one_column_do_not_overlap() -> None:
    sizes = {"s": (100.0, 50.0), "a": (100.0, 120.0), "b": (100.0, 60.0), "c": (100.0, 30.0)}
    pos = layout.layered_positions(
        ["s", "a", "b", "c"], [("s", "a"), ("s", "b"), ("s", "c")], sizes
    )
    column = sorted(["a", "b", "c"], key=lambda n: pos[n][1])
    for upper, lower in itertools.pairwise(column):
        assert pos[upper][1] + sizes[upper][1] <= pos[lower][1]
    assert len({pos[n][0] for n in "abc"}) == 1


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_tidy_lays_out_examples_left_to_right_on_the_grid(path: Path) -> None:
    nodes, edges = flow.graph_to_flow(load_graph_file(path))
    scrambled = [
        {**n, "position": {"x": float((i * 7919) % 1000), "y": float((i * 104729) % 700)}}
        for i, n in enumerate(nodes)
    ]
    tidied = layout.tidy(scrambled, edges)
    by_id = {n["id"]: n["position"] for n in tidied}
    assert [n["id"] for n in tidied] == [n["id"] for n in nodes]
    for edge in edges:
        target = next(n for n in nodes if n["id"] == edge["target"])
        body = {p["name"] for p in target["data"]["inputs"] if p["body"]}
        if edge["targetHandle"] in body:
            continue  # the result port of a for-each: the body's way back, by design
        assert by_id[edge["source"]]["x"] < by_id[edge["target"]]["x"], edge
    for p in by_id.values():
        assert p["x"] % flow.GRID == 0
        assert p["y"] % flow.GRID == 0
    # The layout starts where the graph started, so the view does not jump far away.
    assert min(p["x"] for p in by_id.values()) == flow.snap(
        min(n["position"]["x"] for n in scrambled)
    )


def test_tidy_uses_measured_sizes_and_keeps_everything_else() -> None:
    nodes = [
        {
            **flow.new_flow_node("trigger.manual", 0, 0, []),
            "measured": {"width": 400, "height": 80},
        },
        flow.new_flow_node("transform.set", 0, 0, ["manual_1"]),
    ]
    edges = [flow.connection_edge({"source": "manual_1", "target": "set_1"})]
    tidied = layout.tidy(nodes, edges)
    assert tidied[1]["position"]["x"] >= tidied[0]["position"]["x"] + 400
    assert tidied[0]["data"] == nodes[0]["data"]
    assert layout.tidy([], []) == []
