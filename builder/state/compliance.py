"""Compliance in the editor: the packs' findings on the canvas, and the report panel.

The canvas is validated in the builder on every edit, and so are the tenant's compliance
packs: when a graph is opened or saved, and on demand, the builder asks the service for its
stance (``GET /compliance/stance?graph_id=``: the packs in force, what the tenant has signed,
the graph's waivers) and from then on runs the service's own check over the canvas after each
edit (``builder.canvas.compliance_live``), so a finding (a ``compliance.<RULE>`` diagnostic naming a
node) appears or goes away with the edit that causes it, on the node and in the problems list.
The service's answer for the canvas (``POST /validate?packs=tenant``) is still asked for and
shown until a stance is known (a service without the stance route, say); the service stays
the authority at deploy. The report (``GET /compliance/report/<graph>``) covers the saved
version: every rule, passed, failed (with the node at fault and the remediation) or waived
(with the admin's reason).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.canvas import compliance_live
from builder.canvas.diagnosis import is_compliance
from builder.client.api import ServiceError
from builder.client.compliance_calls import TENANT_PACKS
from builder.state.document import DocumentState
from builder.state.session import api_for, failed
from builder.views.compliance_view import RuleRow, rule_rows, summary

PANEL = "compliance"


class ComplianceState(DocumentState):
    rules: rx.Field[list[RuleRow]] = rx.field(default_factory=list)
    summary: rx.Field[str] = rx.field("")
    report_version: rx.Field[int] = rx.field(0)
    """The saved version the report covers (0: none loaded)."""
    report_error: rx.Field[str] = rx.field("")
    report_loading: rx.Field[bool] = rx.field(False)
    checking: rx.Field[bool] = rx.field(False)

    @rx.event
    async def check(self) -> Any:
        """Fetch the tenant's stance and check the canvas as it is (saved or not) with it.

        The service's own findings are asked for too: they are shown until a stance is known.
        """
        if not self.doc_id or self.previewing:
            return None
        api = await api_for(self)
        if not api.token:
            return None
        self.checking = True
        before = (self._live_now(), list(self._compliance))
        try:
            stance = await api.stance(self.doc_id)
        except ServiceError as exc:
            if exc.unauthorized:
                self.checking = False
                return await failed(self, exc)
            # No stance (an older service, say): a stale one could mislead, so the canvas
            # shows the service's own findings, asked for below.
            self._live = compliance_live.Live()
        else:
            self._live = self._live_now().with_stance(stance, self.doc_id)
        if self.nodes:
            try:
                result = await api.validate_draft(self.document(), TENANT_PACKS)
            except ServiceError as exc:
                if exc.unauthorized:
                    self.checking = False
                    return await failed(self, exc)
            else:
                found = [d for d in result.diagnostics if is_compliance(d)]
                self._compliance = [d.model_dump(mode="json") for d in found]
        self.checking = False
        if (self._live_now(), list(self._compliance)) != before:
            self._revalidate()
        return None

    @rx.event
    def open_report(self) -> Any:
        """From the toolbar's Compliance button (toggles) or a problem's "Report" link."""
        self.panel = PANEL
        return [ComplianceState.load_report, ComplianceState.check]

    @rx.event
    async def load_report(self) -> Any:
        if self.panel != PANEL or not self.doc_id:
            return
        self.report_loading, self.report_error = True, ""
        yield
        api = await api_for(self)
        try:
            report = await api.compliance_report(self.doc_id, self.base_version or None)
        except ServiceError as exc:
            self.report_loading, self.report_error = False, exc.message
            if exc.unauthorized:
                yield await failed(self, exc)
            return
        self.report_loading = False
        self.rules = rule_rows(report)
        self.summary = summary(report)
        self.report_version = self.base_version
