"""Credentials in graphs: secrets masked on every read, literals in plain fields warned and masked.

The library half of ``tests/service/attacks/test_secret_configs.py``: every credential shape
the detector knows is warned about wherever it sits in a node config (with the field's path and
never the value), masked for readers who may not edit, and the shipped examples and node
examples raise no warning (a detector that cries wolf gets ignored).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodes.registry import default_registry
from runtime.core.graph import Graph, Node
from runtime.core.load import load_graph_file
from runtime.engine.credentials import MASK, find_credentials, mask_credentials
from runtime.engine.secret_configs import MaskWithoutSecret, masked, restored
from runtime.engine.validate import validate

EXAMPLES = Path(__file__).parent.parent.parent / "examples"

CREDENTIALS = [
    ("Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("sk-proj-Xy12Ab34Cd56Ef78Gh90", "sk-proj-Xy12Ab34Cd56Ef78Gh90"),
    ("key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"),
    ("https://ops:s3cr3t-pass@db.example:5432/x", "s3cr3t-pass"),
    ("xoxp-123456789012-abcdefABCDEF", "xoxp-123456789012-abcdefABCDEF"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMTIz", "c2lnbmF0dXJlMTIz"),
    ("Basic YWRtaW46aHVudGVyMg==", "YWRtaW46aHVudGVyMg=="),
    ("ghp_0123456789abcdefghijABCDEFGHIJ0123", "ghp_0123456789abcdefghijABCDEFGHIJ0123"),
    ("sk_live_51Habcdefghijklmnop", "sk_live_51Habcdefghijklmnop"),
]

NOT_CREDENTIALS = [
    "Bearer {{ input.token }}",
    "basic information about the lead",
    "token verification failed",
    "https://crm.example/api/leads/{{ input.id }}",
    "https://{{ input.user }}:{{ input.pass }}@host.example/",
    "a bearer of news",
    "sk-short",
]


def _graph(config: dict[str, Any], node_type: str = "http.request") -> Graph:
    return Graph(
        id="g",
        nodes=[
            Node(id="start", type="trigger.manual"),
            Node(id="n", type=node_type, config=config),
        ],
    )


@pytest.mark.parametrize(("text", "secret"), CREDENTIALS)
def test_each_shape_is_found_and_masked(text: str, secret: str) -> None:
    assert find_credentials(text), text
    shown = mask_credentials(text)
    assert secret not in shown
    assert MASK in shown


@pytest.mark.parametrize("text", NOT_CREDENTIALS)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert find_credentials(text) == []
    assert mask_credentials(text) == text


@pytest.mark.parametrize(("text", "secret"), CREDENTIALS)
@pytest.mark.parametrize(
    ("node_type", "place"),
    [
        ("http.request", lambda v: {"url": "https://x.example", "body": {"deep": [{"v": v}]}}),
        ("http.request", lambda v: {"url": "https://x.example", "headers": {"X-Note": v}}),
        ("transform.set", lambda v: {"fields": [{"path": "token", "value": v}]}),
    ],
)
def test_a_literal_in_a_plain_field_warns_by_path_and_viewers_never_see_it(
    text: str, secret: str, node_type: str, place: Any
) -> None:
    graph = _graph(place(text), node_type)
    found = [d for d in validate(graph) if d.code == "config.credential"]
    assert len(found) == 1, found
    assert found[0].severity == "warning"
    assert found[0].node == "n"
    assert found[0].path
    assert secret not in found[0].model_dump_json()
    viewer = masked(graph, plain_credentials=True).model_dump_json()
    assert secret not in viewer
    editor = masked(graph, plain_credentials=False)
    assert editor.nodes[1].config == graph.nodes[1].config  # the editor is the one to move it


def test_secret_headers_are_masked_for_everyone_and_never_warned() -> None:
    config = {
        "url": "https://x.example",
        "headers": {"Authorization": "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "Cookie": "s=1"},
        "query": {"access_token": "abc", "page": "2"},
    }
    graph = _graph(config)
    assert [d for d in validate(graph) if d.code == "config.credential"] == []
    for plain in (True, False):
        shown = masked(graph, plain_credentials=plain).nodes[1].config
        assert shown["headers"] == {"Authorization": MASK, "Cookie": MASK}
        assert shown["query"] == {"access_token": MASK, "page": "2"}
    assert graph.nodes[1].config == config  # the stored graph is not touched


def test_a_mask_is_restored_from_the_base_or_refused_by_field() -> None:
    stored = _graph({"url": "u", "headers": {"X-API-Key": "k-123"}})
    back = masked(stored, plain_credentials=False)
    assert restored(back, stored).nodes[1].config["headers"] == {"X-API-Key": "k-123"}
    with pytest.raises(MaskWithoutSecret, match=r"nodes\.n\.config\.headers\.X-API-Key"):
        restored(back, None)
    other_type = _graph({"fields": []}, "transform.set")
    with pytest.raises(MaskWithoutSecret):
        restored(back, other_type)  # same id, another node type: nothing to keep


def test_shipped_graphs_and_node_examples_raise_no_credential_warning() -> None:
    for path in sorted(EXAMPLES.glob("*.graph.json")):
        graph = load_graph_file(path)
        assert [d for d in validate(graph) if d.code == "config.credential"] == [], path.name
    for node_type in default_registry().latest():
        node = Node(id="n", type=node_type.type, config=json.loads(json.dumps(node_type.example)))
        graph = Graph(id="g", nodes=[node])
        assert [d for d in validate(graph) if d.code == "config.credential"] == [], node_type.type
