"""Undo/redo history: bounded snapshot stacks, merged steps, and canvas round trips."""

from __future__ import annotations

from typing import Any

from builder.canvas import flow, history
from builder.canvas.history import History


def _snap(tag: int) -> history.Snapshot:
    return {"nodes": [{"id": f"n{tag}"}], "edges": []}


def test_undo_and_redo_walk_back_and_forth() -> None:
    h = History().record(_snap(0), _snap(1)).record(_snap(1), _snap(2))
    assert h.can_undo
    assert not h.can_redo
    step = h.undo(_snap(2))
    assert step is not None
    h, shown = step
    assert shown == _snap(1)
    step = h.undo(shown)
    assert step is not None
    h, shown = step
    assert shown == _snap(0)
    assert not h.can_undo
    assert h.can_redo
    assert h.undo(shown) is None
    step = h.redo(shown)
    assert step is not None
    h, shown = step
    assert shown == _snap(1)
    step = h.redo(shown)
    assert step is not None
    assert step[1] == _snap(2)
    assert step[0].redo(_snap(2)) is None


def test_a_new_edit_after_undo_clears_redo() -> None:
    h = History().record(_snap(0), _snap(1))
    step = h.undo(_snap(1))
    assert step is not None
    h = step[0].record(_snap(0), _snap(5))
    assert not h.can_redo
    assert h.past == (_snap(0),)


def test_an_edit_that_changes_nothing_is_not_a_step() -> None:
    h = History()
    assert h.record(_snap(1), _snap(1)) is h


def test_depth_is_bounded_dropping_the_oldest_steps() -> None:
    h = History(depth=3)
    for i in range(10):
        h = h.record(_snap(i), _snap(i + 1))
    assert h.past == (_snap(7), _snap(8), _snap(9))


def test_edits_with_the_same_merge_key_are_one_step() -> None:
    h = History().record(_snap(0), _snap(1), "config:a")
    h = h.record(_snap(1), _snap(2), "config:a").record(_snap(2), _snap(3), "config:a")
    assert h.past == (_snap(0),)
    h = h.record(_snap(3), _snap(4), "config:b")
    assert h.past == (_snap(0), _snap(3))
    step = h.undo(_snap(4))
    assert step is not None
    # After an undo the next edit starts a step of its own, even with the same key.
    h = step[0].record(_snap(3), _snap(9), "config:b")
    assert h.past == (_snap(0), _snap(3))


def _canvas() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [
        flow.new_flow_node("trigger.webhook", 0, 0, []),
        flow.new_flow_node("transform.set", 300, 0, ["webhook_1"]),
    ]
    edges = [flow.connection_edge({"source": "webhook_1", "target": "set_1"})]
    return nodes, edges


def test_snapshots_ignore_selection_sizes_and_badges() -> None:
    nodes, edges = _canvas()
    decorated = [{**n, "selected": True, "measured": {"width": 200, "height": 80}} for n in nodes]
    decorated[0]["data"] = {**decorated[0]["data"], "status": "error", "statusText": "x"}
    assert history.snapshot(nodes, edges) == history.snapshot(decorated, edges)
    moved = [{**nodes[0], "position": {"x": 15, "y": 0}}, nodes[1]]
    assert history.snapshot(nodes, edges) != history.snapshot(moved, edges)


def test_restore_brings_back_deleted_nodes_at_their_positions() -> None:
    nodes, edges = _canvas()
    before = history.snapshot(nodes, edges)
    remaining = [{**nodes[0], "measured": {"width": 180, "height": 60}, "selected": True}]
    restored_nodes, restored_edges = history.restore(before, remaining)
    assert [n["id"] for n in restored_nodes] == ["webhook_1", "set_1"]
    assert restored_nodes[1]["position"] == nodes[1]["position"]
    assert restored_nodes[1]["data"]["inputs"] == nodes[1]["data"]["inputs"]
    assert restored_edges == edges
    # What only the browser knows survives on nodes that stayed.
    assert restored_nodes[0]["measured"] == {"width": 180, "height": 60}
    assert restored_nodes[0]["selected"] is True
    assert "selected" not in restored_nodes[1]


def test_only_moves_and_removals_are_edits() -> None:
    assert history.is_edit([{"id": "a", "type": "position", "position": {"x": 1, "y": 2}}])
    assert history.is_edit([{"id": "a", "type": "remove"}])
    assert not history.is_edit([{"id": "a", "type": "select", "selected": True}])
    assert not history.is_edit([{"id": "a", "type": "dimensions"}, "junk"])
