"""The Run panel: sample input, a test run of the canvas, each node's data, pins, re-run.

A substate of ``DocumentState``: the run is of the canvas as it is (saved or not), through
the service (``POST /api/v1/runs``), so the tenant's limits, egress rules and audit apply as
to any run. The sample input is remembered per graph in the browser's localStorage; pinned
outputs stay in this tab (they can hold real customer data, so they are never saved with
the graph).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from builder.client.api import RunRecord, ServiceError
from builder.state.document import DocumentState, plain
from builder.state.session import api_for, failed
from builder.views import present
from builder.views.run_view import (
    InputError,
    node_results,
    parse_sample,
    pin_refusal,
    pretty,
    with_run,
)

SAMPLES_KEY = "auterity_samples"
MAX_REMEMBERED = 50
"""Graphs whose sample input is remembered per browser (oldest forgotten first)."""


class RunState(DocumentState):
    samples: str = rx.LocalStorage("{}", name=SAMPLES_KEY, sync=True)
    """JSON object: graph id -> sample input text."""
    sample_text: rx.Field[str] = rx.field("")
    input_error: rx.Field[str] = rx.field("")
    running: rx.Field[bool] = rx.field(False)
    run_id: rx.Field[str] = rx.field("")
    run_status: rx.Field[str] = rx.field("")
    run_summary: rx.Field[str] = rx.field("")
    run_output: rx.Field[str] = rx.field("")
    run_error: rx.Field[str] = rx.field("")
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    """One per node the run reached: id, title, status, ms, input, output, error, pinned."""
    pinned_ids: rx.Field[list[str]] = rx.field(default_factory=list)
    open_row: rx.Field[str] = rx.field("")
    pin_refused: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    """Node id -> why its output cannot be pinned (shown when the user tries)."""
    _unpinnable: dict[str, str] = {}
    _pins: dict[str, dict[str, Any]] = {}
    _outputs: dict[str, dict[str, Any]] = {}

    def _remembered(self) -> dict[str, str]:
        try:
            loaded = json.loads(self.samples or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}

    @rx.event
    def open_run_panel(self) -> None:
        """Show this graph's remembered sample (or its metadata's ``sample_input``)."""
        if not self.sample_text:
            remembered = self._remembered().get(self.doc_id)
            if remembered is None:
                sample = plain(self.base_graph).get("metadata", {}).get("sample_input")
                remembered = "" if sample is None else json.dumps(sample, indent=2)
            self.sample_text = remembered

    @rx.event
    def set_sample_text(self, text: str) -> None:
        self.sample_text = text
        try:
            parse_sample(text)
            self.input_error = ""
        except InputError as exc:
            self.input_error = str(exc)
        remembered = self._remembered()
        remembered.pop(self.doc_id, None)
        remembered[self.doc_id] = text
        self.samples = json.dumps(dict(list(remembered.items())[-MAX_REMEMBERED:]))

    def _present_run(self, record: RunRecord) -> None:
        results = node_results(record.trace)
        self.run_id = record.run_id
        self.run_status = record.status
        self.run_summary = present.run_summary(record.status, record.duration_ms)
        self.run_output = pretty(record.output) if record.status == "succeeded" else ""
        self.run_error = str((record.error or {}).get("message", ""))
        titles = {n["id"]: (n.get("data") or {}).get("label") or n["id"] for n in self.nodes}
        order = [n["id"] for n in self.nodes]
        self._outputs = {k: r.outputs for k, r in results.items()}
        self._unpinnable = {k: why for k, r in results.items() if (why := pin_refusal(r))}
        self.pin_refused = {}
        self.rows = [
            {
                "id": node_id,
                "title": str(titles.get(node_id, node_id)),
                "status": r.status,
                "ms": present.duration(r.duration_ms)
                + (f" · {r.iterations} items" if r.iterations > 1 else ""),
                "input": pretty(r.inputs),
                "output": pretty(r.outputs),
                "error": r.error or "",
            }
            for node_id in order
            if (r := results.get(node_id)) is not None
        ]
        self.nodes = with_run(plain(self.nodes), results)
        self._revalidate()

    async def _run(self, rerun_from: str | None = None) -> AsyncIterator[Any]:
        try:
            sample = parse_sample(self.sample_text)
        except InputError as exc:
            self.input_error = str(exc)
            return
        self.input_error = ""
        self.running = True
        yield
        try:
            api = await api_for(self)
            record = await api.run_draft(
                self.document(),
                sample,
                pins=self._pins,
                rerun_from=rerun_from,
                previous_run_id=self.run_id if rerun_from else None,
            )
        except ServiceError as exc:
            self.running = False
            if exc.diagnostics:
                self.run_status, self.run_summary = "invalid", "the graph is not valid yet"
                self.run_error = "; ".join(
                    f"{d.node or 'graph'}: {d.message}" for d in exc.diagnostics[:5]
                )
                self.rows = []
                return
            yield await failed(self, exc, "Test run")
            return
        self.running = False
        self._present_run(record)

    @rx.event
    async def run(self) -> Any:
        async for step in self._run():
            yield step

    @rx.event
    async def rerun_from(self, node_id: str) -> Any:
        """Run again from ``node_id``: what is upstream of it keeps its last outputs."""
        if not self.run_id:
            return
        async for step in self._run(rerun_from=node_id):
            yield step

    @rx.event
    def toggle_pin(self, node_id: str) -> None:
        """Pin a node to its last output (downstream iterates without re-running it), or unpin."""
        if node_id in self._pins:
            self._pins = {k: v for k, v in self._pins.items() if k != node_id}
        elif (why := self._unpinnable.get(node_id)) is not None:
            self.pin_refused = {**self.pin_refused, node_id: why}
        elif node_id in self._outputs:
            self._pins = {**self._pins, node_id: self._outputs[node_id]}
        self.pinned_ids = sorted(self._pins)

    @rx.event
    def toggle_row(self, node_id: str) -> None:
        self.open_row = "" if self.open_row == node_id else node_id
