"""The workspace's compliance report page: every graph version that matters, rule by rule.

One call (``GET /compliance/report``) on load and on Refresh; the rows are built by the pure
functions of ``builder.views.compliance_view``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from builder.client.api import ServiceError
from builder.state.session import api_for, failed
from builder.views.compliance_view import (
    DeploymentRow,
    VersionRow,
    audit_line,
    deployment_row,
    tenant_summary,
    version_rows,
)


class TenantReportState(rx.State):
    versions: rx.Field[list[VersionRow]] = rx.field(default_factory=list)
    deployments: rx.Field[list[DeploymentRow]] = rx.field(default_factory=list)
    summary: rx.Field[str] = rx.field("")
    audit: rx.Field[str] = rx.field("")
    audit_intact: rx.Field[bool] = rx.field(True)
    generated_at: rx.Field[str] = rx.field("")
    loaded: rx.Field[bool] = rx.field(False)
    loading: rx.Field[bool] = rx.field(False)

    @rx.event
    async def load(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return
        self.loading = True
        yield
        try:
            report = await api.tenant_report()
        except ServiceError as exc:
            self.loading = False
            yield await failed(self, exc, "Compliance report")
            return
        self.versions = version_rows(report)
        self.deployments = [deployment_row(d) for d in report.deployments]
        self.summary = tenant_summary(report)
        self.audit = audit_line(report.audit)
        self.audit_intact = report.audit.intact
        self.generated_at = report.generated_at[:19].replace("T", " ") + " UTC"
        self.loaded, self.loading = True, False
