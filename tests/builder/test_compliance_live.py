"""The packs' findings follow each edit: the tenant's stance applied to the canvas in the builder.

The pure part (``builder.canvas.compliance_live``) over graphs, then the canvas's edit handlers
with a stance set, called the way Reflex calls them (see ``test_canvas_edits``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reflex.state import State

from builder.canvas import compliance_live
from builder.canvas.compliance_live import Live
from builder.state import CanvasState
from compliance.check import check_graph
from compliance.fix import fix_graph
from compliance.rules import Context
from compliance.stance import Stance
from runtime.core.graph import Graph
from runtime.core.load import load_graph_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "patient-intake.graph.json"
RULE = "HIPAA-PHI-LLM-BAA"
CODE = f"compliance.{RULE}"
HIPAA = Stance(packs=["hipaa"])


@pytest.fixture
def intake() -> Graph:
    return load_graph_file(EXAMPLE)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The graph ids ``check_graph`` ran on: one entry per analysis actually paid for."""
    ran: list[str] = []
    real = check_graph  # what compliance_live calls

    def counting(graph: Graph, *args: Any, **kwargs: Any) -> Any:
        ran.append(graph.id)
        return real(graph, *args, **kwargs)

    monkeypatch.setattr(compliance_live, "check_graph", counting)
    return ran


def _codes(live: Live, graph: Graph) -> tuple[Live, list[tuple[str, str | None]]]:
    checked = live.check(graph)
    assert checked is not None
    return checked[0], [(d.code, d.node) for d in checked[1]]


def test_phi_reaching_a_model_is_a_finding_on_the_model_node(intake: Graph) -> None:
    _, found = _codes(Live(stance=HIPAA), intake)
    assert found == [(CODE, "summary")]
    (diagnostic,) = Live(stance=HIPAA).check(intake)[1]  # type: ignore[index]
    assert diagnostic.severity == "error"
    assert diagnostic.hint  # the remediation


def test_a_redaction_node_before_the_model_clears_it(intake: Graph) -> None:
    live, found = _codes(Live(stance=HIPAA), intake)
    assert found == [(CODE, "summary")]
    redacted = fix_graph(intake, ["hipaa"]).graph
    assert any(n.type == "compliance.redact" for n in redacted.nodes)
    _, found = _codes(live, redacted)
    assert found == []


def test_a_waiver_or_a_signed_baa_leaves_no_finding(intake: Graph) -> None:
    waived = Stance(packs=["hipaa"], waivers={RULE: "BAA signed 2026-01-12, ref LEGAL-114"})
    assert _codes(Live(stance=waived), intake)[1] == []
    other_rule = Stance(packs=["hipaa"], waivers={"HIPAA-PHI-LOG": "not this one"})
    assert _codes(Live(stance=other_rule), intake)[1] == [(CODE, "summary")]
    # A BAA covers the model only when routing cannot pick another provider.
    signed = Context(baa_providers=["openai"], llm_providers=["openai"])
    assert _codes(Live(stance=Stance(packs=["hipaa"], context=signed)), intake)[1] == []
    assert _codes(Live(stance=Stance(packs=["pci"])), intake)[1] == []


def test_moving_or_relabelling_a_node_reuses_the_last_answer(
    intake: Graph, analyses: list[str]
) -> None:
    live, found = _codes(Live(stance=HIPAA), intake)
    assert len(analyses) == 1
    moved = intake.model_copy(deep=True)
    moved.nodes[1].position.x += 300
    moved.nodes[1].label = "Summarise the visit"
    live, again = _codes(live, moved)
    assert again == found
    assert len(analyses) == 1  # no second analysis
    # A config edit is read by the rules: it runs again.
    edited = moved.model_copy(deep=True)
    edited.nodes[1].config["max_words"] = 20
    _codes(live, edited)
    assert len(analyses) == 2
    # So does a new stance (a waiver granted), even for the same graph.
    waived = live.with_stance(Stance(packs=["hipaa"], waivers={RULE: "a good reason"}), "")
    assert _codes(waived, edited)[1] == []
    assert len(analyses) == 3


def test_without_a_stance_nothing_is_checked_and_without_packs_nothing_is_paid(
    intake: Graph, analyses: list[str]
) -> None:
    assert Live().check(intake) is None
    assert _codes(Live(stance=Stance()), intake)[1] == []
    assert analyses == []


def test_another_graph_drops_the_stance_the_same_graph_keeps_it() -> None:
    live = Live().with_stance(HIPAA, "patient-intake")
    assert live.for_graph("patient-intake") is live
    assert live.for_graph("lead-scoring").stance is None
    assert live.with_stance(Stance(packs=["hipaa"]), "patient-intake") is live


# --- on the canvas ----------------------------------------------------------------------------


@pytest.fixture
def canvas() -> CanvasState:
    # Reflex types a state's __init__ from its fields (dataclass_transform): not this flag.
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(CanvasState.get_full_name().split(".")[1:])
    assert type(state).__name__ == "CanvasState"
    return state  # type: ignore[return-value]


def _handler(name: str) -> Callable[..., Any]:
    def call(state: CanvasState, *args: Any) -> Any:
        return type(state).event_handlers[name].fn(state, *args)

    return call


def _rules(canvas: CanvasState) -> list[tuple[str, str]]:
    return [(p["rule"], p["node"]) for p in canvas.problems if p["rule"]]


def _status(canvas: CanvasState, node_id: str) -> str:
    node = next(n for n in canvas.nodes if n["id"] == node_id)
    return str(node["data"]["status"])


def test_an_edit_on_the_canvas_makes_the_finding_come_and_go(
    canvas: CanvasState, intake: Graph, analyses: list[str]
) -> None:
    canvas._live = Live().with_stance(HIPAA, intake.id)
    canvas.load_graph(intake)
    assert _rules(canvas) == [(RULE, "summary")]
    assert _status(canvas, "summary") == "error"

    # A redaction node between the trigger and the model: dropped, then wired in.
    _handler("add_node")(canvas, "compliance.redact", {"x": 130, "y": 200})
    (edge,) = [e["id"] for e in canvas.edges if e["target"] == "summary"]
    _handler("on_delete_elements")(canvas, {"nodes": [], "edges": [edge]})
    assert _rules(canvas) == []  # no PHI reaches the model now; nothing reaches it at all:
    assert _status(canvas, "summary") == "error"  # its required input is not connected
    _handler("on_connect")(canvas, {"source": "intake", "target": "redact_1"})
    assert _rules(canvas) == []
    _handler("on_connect")(canvas, {"source": "redact_1", "target": "summary"})
    assert _rules(canvas) == []
    assert _status(canvas, "summary") == "valid"
    assert canvas.error_count == 0

    # Dragging a node is an edit (undoable), but not one the packs read.
    ran = len(analyses)
    _handler("on_nodes_change")(
        canvas, [{"id": "redact_1", "type": "position", "position": {"x": 140, "y": 260}}]
    )
    _handler("on_nodes_change")(canvas, [{"id": "summary", "type": "select", "selected": True}])
    assert len(analyses) == ran
    assert _rules(canvas) == []

    # Undo back past the second connection: the finding is back on the model node.
    _handler("undo")(canvas)
    _handler("undo")(canvas)
    _handler("undo")(canvas)
    _handler("undo")(canvas)
    assert [e["target"] for e in canvas.edges if e["source"] == "intake"] == ["summary"]
    assert _rules(canvas) == [(RULE, "summary")]
    assert _status(canvas, "summary") == "error"


def test_a_stale_service_answer_is_replaced_by_the_local_check(
    canvas: CanvasState, intake: Graph
) -> None:
    """Without a stance the canvas shows the service's last answer; with one, its own."""
    canvas.load_graph(intake)
    stale = {"severity": "error", "code": CODE, "message": "PHI", "node": "summary"}
    canvas._compliance = [stale]
    canvas._revalidate()
    assert _rules(canvas) == [(RULE, "summary")]
    canvas._live = Live().with_stance(Stance(packs=["pci"]), intake.id)
    canvas._revalidate()
    assert _rules(canvas) == []
    # Opening another graph drops the stance: its waivers were this graph's.
    canvas.load_graph(intake.model_copy(update={"id": "another"}))
    assert canvas._live.stance is None
