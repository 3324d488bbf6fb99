"""The graph model: what a ``*.graph.json`` holds, and that writing it back loses nothing."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from runtime.core.graph import SCHEMA_VERSION, Graph, RetryPolicy
from runtime.core.load import load_graph
from tests.runtime.support import fixture_path, load_fixture, valid_fixtures


@pytest.mark.parametrize("path", valid_fixtures(), ids=lambda p: p.name)
def test_fixture_round_trips_through_its_own_json(path: Any) -> None:
    graph = load_fixture(path.name)
    again = load_graph(graph.to_json())
    assert again == graph
    assert again.to_json() == graph.to_json()


def test_to_json_writes_current_schema_version_and_every_field() -> None:
    graph = load_fixture("linear.graph.json")
    doc = json.loads(graph.to_json())
    assert doc["schema_version"] == SCHEMA_VERSION
    greet = next(n for n in doc["nodes"] if n["id"] == "greet")
    # Defaults are written out, so the file says what the runtime will do.
    assert greet["settings"]["retry"]["max_attempts"] == 1
    assert greet["settings"]["disabled"] is False
    assert greet["config"] == {
        "fields": [{"path": "greeting", "value": "Hello {{ input.lead.name }}"}]
    }


def test_fixture_json_and_model_agree_on_content() -> None:
    raw = json.loads(fixture_path("linear.graph.json").read_text())
    graph = load_fixture("linear.graph.json")
    assert [n.id for n in graph.nodes] == [n["id"] for n in raw["nodes"]]
    assert graph.node("shape") is not None
    assert graph.node("shape").config == raw["nodes"][2]["config"]  # type: ignore[union-attr]
    assert graph.node("missing") is None
    assert graph.metadata == {"owner": "tests"}


def test_edge_key_names_both_endpoints_unless_it_has_an_id() -> None:
    graph = Graph.model_validate(
        {
            "nodes": [],
            "edges": [
                {"source": "a", "target": "b"},
                {"id": "e7", "source": "a", "source_port": "true", "target": "c"},
            ],
        }
    )
    assert graph.edges[0].key == "a.out->b.in"
    assert graph.edges[1].key == "e7"


@pytest.mark.parametrize(
    "doc",
    [
        {"nodes": [{"id": "1abc", "type": "trigger.manual"}]},
        {"nodes": [{"id": "a b", "type": "trigger.manual"}]},
        {"nodes": [{"id": "a", "type": ""}]},
        {"nodes": [{"id": "a", "type": "trigger.manual", "colour": "red"}]},
        {"nodes": [], "extra": True},
        {"nodes": [{"id": "a", "type": "t", "settings": {"retry": {"max_attempts": 0}}}]},
        {"nodes": [{"id": "a", "type": "t", "settings": {"timeout_seconds": 0}}]},
    ],
    ids=[
        "digit-first-id",
        "space-in-id",
        "empty-type",
        "unknown-node-key",
        "unknown-graph-key",
        "zero-attempts",
        "zero-timeout",
    ],
)
def test_model_rejects_malformed_documents(doc: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Graph.model_validate(doc)


def test_retry_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=5, backoff_seconds=1, backoff_factor=3, max_backoff_seconds=5)
    assert [policy.delay_before(a) for a in range(1, 6)] == [0.0, 1.0, 3.0, 5.0, 5.0]


# --- property: any graph the model accepts survives to_json -> load ---------------------------

_ids = st.text(string.ascii_letters + "_", min_size=1, max_size=1).flatmap(
    lambda head: st.text(string.ascii_letters + string.digits + "_-", max_size=10).map(
        lambda tail: head + tail
    )
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
_nodes = st.lists(
    st.fixed_dictionaries(
        {"id": _ids, "type": st.sampled_from(["trigger.manual", "transform.set", "x.unknown"])},
        optional={
            "label": st.text(max_size=20),
            "version": st.integers(1, 5),
            "config": st.dictionaries(st.text(max_size=8), _json, max_size=3),
            "parent": _ids,
            "position": st.fixed_dictionaries(
                {"x": st.floats(-1e6, 1e6), "y": st.floats(-1e6, 1e6)}
            ),
            "settings": st.fixed_dictionaries(
                {},
                optional={
                    "disabled": st.booleans(),
                    "timeout_seconds": st.floats(0.001, 900),
                    "retry": st.fixed_dictionaries({"max_attempts": st.integers(1, 10)}),
                },
            ),
        },
    ),
    max_size=5,
)
_edges = st.lists(
    st.fixed_dictionaries(
        {"source": _ids, "target": _ids},
        optional={"source_port": st.sampled_from(["out", "true", "error"]), "id": _ids},
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(nodes=_nodes, edges=_edges, metadata=st.dictionaries(st.text(max_size=8), _json, max_size=3))
def test_any_graph_round_trips(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], metadata: dict[str, Any]
) -> None:
    graph = Graph.model_validate({"nodes": nodes, "edges": edges, "metadata": metadata})
    assert load_graph(graph.to_json()) == graph
