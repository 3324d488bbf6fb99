"""How data classes travel: kept by copies, removed by drops and redaction, moved by renames,
carried by expressions that read another node."""

from __future__ import annotations

import itertools
from typing import Any

from compliance.flow import flow_of
from nodes.dataflow import classes_of
from runtime.core.graph import Edge, Graph, Node
from runtime.core.types import DataClass

PHI = DataClass.PHI


def _graph(*middle: tuple[str, str, dict[str, Any]]) -> Graph:
    hook = Node(
        id="hook",
        type="trigger.webhook",
        config={"fields": [{"name": "patient.name", "classes": ["PHI"]}]},
    )
    nodes = [hook, *(Node(id=i, type=t, config=c) for i, t, c in middle)]
    nodes.append(Node(id="reply", type="http.respond", config={}))
    ids = [n.id for n in nodes]
    return Graph(nodes=nodes, edges=[Edge(source=a, target=b) for a, b in itertools.pairwise(ids)])


def test_trigger_fields_label_the_body_and_copies_keep_them() -> None:
    flow = flow_of(_graph(("copy", "transform.set", {"fields": []})))
    assert flow.outputs["hook"] == {"body.patient.name": frozenset({PHI})}
    assert flow.arriving("reply") == {PHI}
    assert flow.origins(PHI) == ["hook"]


def test_removing_the_field_removes_its_class() -> None:
    flow = flow_of(_graph(("drop", "transform.remove", {"fields": ["body.patient"]})))
    assert flow.arriving("drop") == {PHI}
    assert flow.arriving("reply") == frozenset()


def test_removing_another_field_keeps_the_class() -> None:
    flow = flow_of(_graph(("drop", "transform.remove", {"fields": ["body.other"]})))
    assert flow.arriving("reply") == {PHI}


def test_a_rename_moves_the_class_so_dropping_the_old_name_is_not_enough() -> None:
    flow = flow_of(
        _graph(
            ("mv", "transform.rename", {"fields": [{"from": "body.patient", "to": "who"}]}),
            ("drop", "transform.remove", {"fields": ["body.patient"]}),
        )
    )
    assert flow.outputs["mv"] == {"who.name": frozenset({PHI})}
    assert flow.arriving("reply") == {PHI}


def test_redaction_by_class_clears_it_everywhere() -> None:
    flow = flow_of(_graph(("red", "compliance.redact", {"classes": ["PHI"]})))
    assert classes_of(flow.outputs["red"]) == frozenset()


def test_an_expression_reading_another_node_carries_its_classes() -> None:
    graph = _graph(
        ("drop", "transform.remove", {"fields": ["body.patient"]}),
        ("peek", "transform.set", {"fields": [{"path": "n", "value": "{{ nodes.hook.body }}"}]}),
    )
    flow = flow_of(graph)
    assert flow.arriving("peek") == {PHI}
    assert flow.arriving("reply") == {PHI}
