"""The runs page: run history with filters, and one run's per-node trace."""

from __future__ import annotations

from typing import Any, get_args

import reflex as rx

from builder.client.api import ServiceError
from builder.state.session import api_for, failed
from builder.views import inbox_view, present
from runtime.store import RunStatus

STATUSES: list[str] = list(get_args(RunStatus))
ALL = "all"


class RunsState(rx.State):
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    graph_filter: rx.Field[str] = rx.field(ALL)
    status_filter: rx.Field[str] = rx.field(ALL)
    graph_options: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    """The graph filter's choices: ``{"id", "name"}`` of each graph (and the one filtered on)."""

    _names: dict[str, str] = {}
    """Graph id -> name, from the last listing (a run's row shows the name)."""

    run_id: rx.Field[str] = rx.field("")
    run_summary: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    trace: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    waits: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    """What the open run waits (or waited) for: its approvals, callbacks and timers."""
    action_error: rx.Field[str] = rx.field("")
    """The service's refusal of the last cancel or redrive (a 409 says why)."""

    @rx.var
    def filtered(self) -> bool:
        return self.graph_filter != ALL or self.status_filter != ALL

    @rx.event
    async def clear_filters(self) -> Any:
        self.graph_filter = self.status_filter = ALL
        return await self._fetch()

    @rx.event
    async def load(self) -> Any:
        query = self.router.url.query_parameters
        graph = query.get("graph", "")
        if graph:
            self.graph_filter = graph
        listed = await self._fetch()
        run = query.get("run", "")  # a link to one run (a schedule's last fires)
        if listed is not None or not run:
            return listed
        return RunsState.open_run(run)  # type: ignore[operator]  # an event spec, as on_click

    async def _fetch(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        graph = None if self.graph_filter == ALL else self.graph_filter
        status: Any = None if self.status_filter == ALL else self.status_filter
        try:
            records = await api.list_runs(graph, status, limit=100)
            heads = await api.list_graphs()
        except ServiceError as exc:
            return await failed(self, exc)
        names = {h.graph_id: h.name for h in heads}
        if graph and graph not in names:
            names[graph] = graph
        self._names = names
        self.graph_options = [
            {"id": k, "name": v} for k, v in sorted(names.items(), key=lambda kv: kv[1].lower())
        ]
        self.rows = [present.run_row(r, names) for r in records]
        self.loaded = True
        return None

    @rx.event
    async def filter_graph(self, value: str) -> Any:
        self.graph_filter = value
        return await self._fetch()

    @rx.event
    async def filter_status(self, value: str) -> Any:
        self.status_filter = value
        return await self._fetch()

    @rx.event
    async def open_run(self, run_id: str) -> Any:
        try:
            await self._open(run_id)
        except ServiceError as exc:
            return await failed(self, exc)
        return None

    async def _open(self, run_id: str) -> None:
        api = await api_for(self)
        record = await api.get_run(run_id)
        self.run_id = record.run_id
        self.action_error = ""
        self.run_summary = {
            **present.run_row(record, self._names),
            "output": present.json_text(record.output),
            "error": present.json_text(record.error) if record.error else "",
            "truncated": "yes" if record.trace_truncated else "",
        }
        self.trace = present.trace_rows(record.trace)
        try:
            self.waits = inbox_view.wait_rows(await api.run_waits(run_id))
        except ServiceError:
            self.waits = []  # the trace still says where the run stopped

    @rx.event
    def close_run(self, _open: bool = False) -> None:
        self.run_id = ""
        self.action_error = ""

    @rx.event
    async def cancel_run(self) -> Any:
        """Stop the open run (queued, running or waiting); it shows as cancelled."""
        return await self._act("cancel")

    @rx.event
    async def redrive_run(self) -> Any:
        """Start the open failed run again from its failed step."""
        return await self._act("redrive")

    async def _act(self, action: str) -> Any:
        run_id = self.run_id
        if not run_id:
            return None
        api = await api_for(self)
        self.action_error = ""
        try:
            if action == "cancel":
                record = await api.cancel_run(run_id)
            else:
                record = await api.redrive_run(run_id)
        except ServiceError as exc:
            if exc.unauthorized or exc.status == 0:
                return await failed(self, exc)
            self.action_error = exc.message
            return None
        await self._fetch()
        try:
            await self._open(record.run_id)
        except ServiceError as exc:
            return await failed(self, exc)
        done = "Cancelled" if action == "cancel" else "Redriven"
        return rx.toast.success(f"{done}: run {record.run_id} is {record.status}")
