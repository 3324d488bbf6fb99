"""The inspector: the form of the one selected node, its inline errors and what it can reference.

A substate of ``CanvasState``, so it reads the canvas's nodes and edges directly and its
computed view follows every canvas change (a selection, an edit, a new edge upstream). Edits
go back through ``CanvasState.set_node_config`` only. Everything shown is computed from the
canvas plus the drafts below; nothing the browser sends is trusted beyond being JSON.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.canvas import flow
from builder.inspector import field_errors, json_drafts, references
from builder.inspector import field_specs as schema_form
from builder.state.canvas import CanvasState
from nodes.registry import default_registry
from runtime.engine.validate import analyze

MAX_DRAFTS = 50


def _payload(change: Any) -> tuple[str, dict[str, Any]] | None:
    """``(node id, value)`` from the form's ``{nodeId, value}``, or ``None`` if malformed."""
    if not isinstance(change, dict):
        return None
    node_id, value = change.get("nodeId"), change.get("value")
    if not isinstance(node_id, str) or not isinstance(value, dict):
        return None
    return node_id, value


class InspectorState(CanvasState):
    """Drafts of label and settings that do not validate yet, by node id.

    A config is stored on the node even when invalid (the badge then says so); label and
    settings must fit the graph model, so until they do they live here, and the form keeps
    showing exactly what was typed.
    """

    node_drafts: rx.Field[dict[str, dict[str, Any]]] = rx.field(default_factory=dict)

    @rx.var
    def selected_ids(self) -> list[str]:
        return [n["id"] for n in self.nodes if n.get("selected") is True]

    @rx.var
    def inspected_id(self) -> str:
        """The node the panel shows: the selection, when exactly one node is selected."""
        chosen = [n["id"] for n in self.nodes if n.get("selected") is True]
        return chosen[0] if len(chosen) == 1 else ""

    @rx.var
    def inspector(self) -> dict[str, Any]:
        """Everything the panel draws for the inspected node (empty when none is)."""
        chosen = [n for n in self.nodes if n.get("selected") is True]
        if len(chosen) != 1:
            return {}
        node = chosen[0]
        node_id = str(node["id"])
        data = node.get("data") or {}
        node_type = default_registry().get(str(data.get("nodeType", "")), data.get("version"))
        node_value = self.node_drafts.get(node_id) or {
            "label": data.get("label", ""),
            **(data.get("settings") or {}),
        }
        node_spec = schema_form.node_fields_spec()
        node_errors = field_errors.validate_model(schema_form.NodeFields, node_spec, node_value)
        view: dict[str, Any] = {
            "id": node_id,
            "nodeType": data.get("nodeType", ""),
            "title": data.get("title", ""),
            "label": data.get("label", ""),
            "color": data.get("color", ""),
            "status": data.get("status", "valid"),
            "description": node_type.description if node_type else "",
            "nodeSpec": node_spec.to_js(),
            "nodeValue": node_value,
            "nodeErrors": node_errors,
            "configSpec": {"kind": "object"},
            "config": data.get("config") or {},
            "drafts": data.get(json_drafts.DRAFTS_KEY) or {},
            "configErrors": {},
            "problems": [],
            "references": [],
        }
        if node_type is None:
            view["problems"] = [{"message": data.get("statusText", ""), "severity": "error"}]
            return view
        spec = schema_form.config_spec(node_type)
        config = view["config"]
        pydantic = field_errors.validate_model(node_type.Config, spec, config)
        graph = flow.flow_to_graph(self.nodes, self.edges)
        mine = [d for d in analyze(graph, default_registry()).diagnostics if d.node == node_id]
        placed = field_errors.merge(
            pydantic,
            field_errors.diagnostic_errors(spec, mine, skip_config_invalid=bool(pydantic)),
        )
        view["problems"] = placed.pop(field_errors.GENERAL, [])
        view["configSpec"] = spec.to_js()
        view["configErrors"] = placed
        samples = {
            n["id"]: (n.get("data") or {})["runOutput"]
            for n in self.nodes
            if "runOutput" in (n.get("data") or {})
        }
        refs = references.references(self.nodes, self.edges, node_id, samples)
        view["references"] = [r.model_dump() for r in refs]
        return view

    @rx.event
    def change_config(self, change: dict[str, Any]) -> None:
        """The form's whole new config for a node (sent ~250 ms after typing stops).

        With it come the JSON fields whose text does not parse yet: kept as drafts, shown as
        problems (``builder.inspector.json_drafts``).
        """
        parsed = _payload(change)
        if parsed is not None:
            drafts = json_drafts.clean(change.get("drafts"))
            self.set_node_config(parsed[0], config=parsed[1], drafts=drafts)

    @rx.event
    def change_node(self, change: dict[str, Any]) -> None:
        """Label and settings: applied when they validate, kept as a draft until then."""
        parsed = _payload(change)
        if parsed is None:
            return
        node_id, value = parsed
        if not any(n["id"] == node_id for n in self.nodes):
            return
        errors = field_errors.validate_model(
            schema_form.NodeFields, schema_form.node_fields_spec(), value
        )
        drafts = {k: v for k, v in self.node_drafts.items() if k != node_id}
        if errors:
            drafts[node_id] = value
            self.node_drafts = dict(list(drafts.items())[-MAX_DRAFTS:])
            return
        self.node_drafts = drafts
        fields = schema_form.NodeFields.model_validate(value)
        settings = fields.model_dump(mode="json", exclude={"label"})
        self.set_node_config(node_id, label=fields.label, settings=settings)

    @rx.event
    def close(self) -> None:
        """Close the panel by deselecting its node (the canvas follows the server's selection)."""
        changes = [
            {"id": n["id"], "type": "select", "selected": False}
            for n in self.nodes
            if n.get("selected") is True
        ]
        self.nodes = flow.apply_node_changes(self.nodes, changes)
