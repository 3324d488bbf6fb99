"""Compliance in the editor: the packs' findings on the canvas, and the report panel.

The canvas is validated in the builder on every edit; the tenant's compliance packs are
checked by the service (``POST /validate?packs=tenant``) when a graph is opened or saved and
on demand, and their findings (``compliance.<RULE>`` diagnostics naming a node) join the
validator's on the nodes and in the problems list. The report (``GET
/compliance/report/<graph>``) covers the saved version: every rule, passed, failed (with the
node at fault and the remediation) or waived (with the admin's reason).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.api import ApiError
from builder.api_compliance import TENANT_PACKS
from builder.compliance_view import RuleRow, rule_rows, summary
from builder.problems import is_compliance
from builder.state.document import DocumentState
from builder.state.session import api_for, failed

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
        """Ask the service for the packs' findings on the canvas as it is (saved or not)."""
        if not self.doc_id or not self.nodes or self.previewing:
            return None
        self.checking = True
        api = await api_for(self)
        if not api.token:
            self.checking = False
            return None
        try:
            result = await api.validate_draft(self.document(), TENANT_PACKS)
        except ApiError as exc:
            self.checking = False
            return await failed(self, exc) if exc.unauthorized else None
        self.checking = False
        found = [d.model_dump(mode="json") for d in result.diagnostics if is_compliance(d)]
        if found != self._compliance:
            self._compliance = found
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
        except ApiError as exc:
            self.report_loading, self.report_error = False, exc.message
            if exc.unauthorized:
                yield await failed(self, exc)
            return
        self.report_loading = False
        self.rules = rule_rows(report)
        self.summary = summary(report)
        self.report_version = self.base_version
