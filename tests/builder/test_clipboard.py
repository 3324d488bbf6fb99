"""Pasting copied fragments: validation, fresh ids, placement and selection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from builder.canvas import clipboard, flow
from builder.canvas.clipboard import FragmentError, View


def _fragment(**extra: Any) -> str:
    doc = {
        "schema_version": 2,
        "nodes": [
            {"id": "hook", "type": "trigger.webhook", "position": {"x": 0, "y": 0}},
            {
                "id": "shape",
                "type": "transform.set",
                "position": {"x": 300, "y": 0},
                "config": {"fields": {"a": "1"}},
            },
        ],
        "edges": [
            {"source": "hook", "target": "shape"},
            {"source": "shape", "target": "elsewhere"},
        ],
        **extra,
    }
    return json.dumps(doc)


def _canvas() -> list[dict[str, Any]]:
    return [flow.new_flow_node("trigger.webhook", 0, 0, []) | {"selected": True}]


def test_paste_gives_fresh_ids_keeps_inner_edges_and_selects_only_the_paste() -> None:
    nodes, edges, ids = clipboard.paste(_canvas(), [], _fragment())
    assert ids == ["webhook_2", "set_1"]
    assert [n["id"] for n in nodes] == ["webhook_1", "webhook_2", "set_1"]
    assert [n.get("selected") for n in nodes] == [False, True, True]
    assert [(e["source"], e["target"]) for e in edges] == [("webhook_2", "set_1")]
    pasted = nodes[2]
    assert pasted["data"]["config"] == {"fields": {"a": "1"}}
    assert pasted["data"]["nodeType"] == "transform.set"


def test_a_paste_lands_beside_its_originals_and_a_second_one_further_on() -> None:
    originals = [(0.0, 0.0), (300.0, 0.0)]
    first = clipboard.offset(originals, originals)
    assert first == (clipboard.STEP, clipboard.STEP)
    occupied = [*originals, *((x + first[0], y + first[1]) for x, y in originals)]
    assert clipboard.offset(originals, occupied) == (2 * clipboard.STEP, 2 * clipboard.STEP)


def test_a_fragment_from_out_of_view_lands_in_the_middle_of_the_view() -> None:
    view = View(x=5000, y=5000, width=1000, height=600)
    dx, dy = clipboard.offset([(0.0, 0.0), (300.0, 100.0)], [], view)
    centre = (150 + dx, 50 + dy)
    assert centre == pytest.approx((5500, 5300), abs=flow.GRID)


def test_view_from_the_browser_rejects_junk() -> None:
    assert View.from_browser({"x": 1, "y": 2, "width": 3, "height": 4}) == View(1, 2, 3, 4)
    assert View.from_browser({"x": 1, "y": 2, "width": 0, "height": 4}) is None
    assert View.from_browser({"x": "1", "y": 2, "width": 3, "height": 4}) is None
    assert View.from_browser(None) is None


def test_parents_follow_into_the_paste_or_are_dropped() -> None:
    doc = {
        "nodes": [
            {"id": "loop", "type": "logic.foreach"},
            {"id": "inner", "type": "transform.set", "parent": "loop"},
            {"id": "orphan", "type": "transform.set", "parent": "not_copied"},
        ]
    }
    nodes, _, ids = clipboard.paste([], [], json.dumps(doc))
    parents = {n["id"]: n["data"]["parent"] for n in nodes}
    assert ids == ["foreach_1", "set_1", "set_2"]
    assert parents == {"foreach_1": None, "set_1": "foreach_1", "set_2": None}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", "does not hold copied nodes"),
        ("{not json", "invalid JSON"),
        ('{"nodes": []}', "has no nodes"),
        ('{"nodes": [{"id": "1bad", "type": "transform.set"}]}', "not a graph fragment"),
        ('{"nodes": [{"id": "x", "type": "acme.teleport"}]}', "unknown node type 'acme.teleport'"),
        ('{"schema_version": 99, "nodes": []}', "newer than this Auterity"),
    ],
)
def test_bad_fragments_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(FragmentError, match=reason):
        clipboard.paste(_canvas(), [], text)


def test_huge_fragments_are_refused() -> None:
    many = {"nodes": [{"id": f"n{i}", "type": "transform.set"} for i in range(501)]}
    with pytest.raises(FragmentError, match="more than 500"):
        clipboard.parse_fragment(json.dumps(many))
    with pytest.raises(FragmentError, match="characters"):
        clipboard.parse_fragment("{" + " " * clipboard.MAX_FRAGMENT_CHARS + "}")


def test_a_fragment_in_the_old_file_format_is_migrated() -> None:
    doc = {
        "version": 1,
        "nodes": [{"id": "a", "type": "transform.set", "x": 30, "y": 45}],
        "connections": [],
    }
    graph = clipboard.parse_fragment(json.dumps(doc))
    assert graph.nodes[0].position.x == 30
