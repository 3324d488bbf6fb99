from runtime.core.diff import diff_graphs
from runtime.core.graph import Graph


def _graph(**changes: object) -> Graph:
    base: dict[str, object] = {
        "id": "g",
        "name": "G",
        "nodes": [
            {"id": "a", "type": "trigger.manual"},
            {"id": "b", "type": "transform.set", "config": {"fields": [{"path": "x", "value": 1}]}},
        ],
        "edges": [{"source": "a", "target": "b"}],
    }
    base.update(changes)
    return Graph.model_validate(base)


def test_identical_graphs_have_an_empty_diff() -> None:
    assert diff_graphs(_graph(), _graph()).empty


def test_reports_the_exact_config_path_that_changed() -> None:
    new = _graph(
        nodes=[
            {"id": "a", "type": "trigger.manual"},
            {"id": "b", "type": "transform.set", "config": {"fields": [{"path": "x", "value": 2}]}},
        ]
    )
    diff = diff_graphs(_graph(), new)
    assert [(c.node, c.change, c.fields) for c in diff.nodes] == [
        ("b", "changed", ["config.fields[0].value"])
    ]
    assert diff.edges == []


def test_added_and_removed_nodes_and_edges() -> None:
    new = _graph(
        name="Renamed",
        nodes=[{"id": "a", "type": "trigger.manual"}, {"id": "c", "type": "transform.set"}],
        edges=[{"source": "a", "target": "c"}],
    )
    diff = diff_graphs(_graph(), new)
    assert {(c.node, c.change) for c in diff.nodes} == {("b", "removed"), ("c", "added")}
    assert {(c.edge, c.change) for c in diff.edges} == {
        ("a.out->b.in", "removed"),
        ("a.out->c.in", "added"),
    }
    assert diff.changed == ["name"]
