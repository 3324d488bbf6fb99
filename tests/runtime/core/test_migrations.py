"""Older graph files keep opening: v1 documents are upgraded to the current schema on load."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from runtime.core.errors import GraphLoadError
from runtime.core.graph import SCHEMA_VERSION
from runtime.core.load import graph_from_document
from runtime.core.migrations import document_version, migrate
from tests.runtime.support import fixture_document, load_fixture


def test_v1_fixture_loads_as_the_same_graph_as_its_v2_twin() -> None:
    old = load_fixture("v1-compact.graph.json")
    new = load_fixture("linear.graph.json")
    assert old.schema_version == SCHEMA_VERSION
    assert old == new


def test_v1_params_positions_and_connections_are_translated() -> None:
    graph = load_fixture("v1-compact.graph.json")
    greet = graph.node("greet")
    assert greet is not None
    assert greet.config == {
        "fields": [{"path": "greeting", "value": "Hello {{ input.lead.name }}"}]
    }
    assert (greet.position.x, greet.position.y) == (200, 0)
    assert [(e.source, e.source_port, e.target, e.target_port) for e in graph.edges] == [
        ("start", "out", "greet", "in"),
        ("greet", "out", "shape", "in"),  # "greet" alone means the default ports
    ]


def test_v1_is_recognised_by_connections_even_without_a_version() -> None:
    doc = fixture_document("v1-compact.graph.json")
    del doc["version"]
    assert document_version(doc) == 1
    assert graph_from_document(doc) == load_fixture("linear.graph.json")


def test_v1_named_ports_survive() -> None:
    doc = {
        "version": 1,
        "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {"id": "check", "type": "logic.if", "params": None},
            {"id": "yes", "type": "transform.set"},
        ],
        "connections": [
            {"from": "start", "to": "check"},
            {"from": "check:true", "to": "yes:in"},
        ],
    }
    graph = graph_from_document(doc)
    assert graph.node("check").config == {}  # type: ignore[union-attr]
    assert graph.edges[1].source_port == "true"


def test_migrate_does_not_modify_the_callers_document() -> None:
    doc = fixture_document("v1-compact.graph.json")
    before = copy.deepcopy(doc)
    migrate(doc)
    assert doc == before


def test_current_version_documents_pass_through_unchanged() -> None:
    doc = fixture_document("linear.graph.json")
    assert migrate(copy.deepcopy(doc)) == doc


def test_future_schema_version_gives_a_clear_error() -> None:
    doc = fixture_document("unloadable/future-version.graph.json")
    with pytest.raises(GraphLoadError) as info:
        graph_from_document(doc)
    message = str(info.value)
    assert "99" in message
    assert "newer" in message
    assert "upgrade Auterity" in message


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ({"schema_version": 0, "nodes": []}, "versions start at 1"),
        ({"schema_version": "2", "nodes": []}, "whole number"),
        ({"schema_version": True, "nodes": []}, "whole number"),
        ({"version": 1, "connections": [{"from": 3, "to": "b"}]}, "connections[0].from"),
        ({"version": 1, "connections": [{"from": "a"}]}, "connections[0].to"),
        ({"version": 1, "connections": ["a:out -> b:in"]}, "connections[0] must be an object"),
        ({"version": 1, "nodes": ["start"]}, "nodes[0] must be an object"),
    ],
)
def test_broken_old_documents_fail_with_the_place_named(doc: dict[str, Any], fragment: str) -> None:
    with pytest.raises(GraphLoadError) as info:
        graph_from_document(doc)
    assert fragment in str(info.value)
