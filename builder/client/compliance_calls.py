"""The compliance calls of the builder's API client (``builder.client.api.Api`` inherits them).

Findings come back as the validator's diagnostics (code ``compliance.<RULE>``, the node at
fault, the remediation as the hint), so the canvas shows them like any other problem; the
report says, rule by rule, what passed, failed or is waived.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from pydantic import TypeAdapter

from builder.client.brand_calls import _Calls
from compliance.check import Report, RuleResult
from compliance.stance import Stance
from runtime.core.graph import Graph
from runtime.service.report_schemas import TenantReport
from runtime.service.schemas import Validation

REPORT = TypeAdapter(Report)
VALIDATION = TypeAdapter(Validation)
STANCE = TypeAdapter(Stance)
TENANT_REPORT = TypeAdapter(TenantReport)
TENANT_PACKS = ("tenant",)
"""``?packs=tenant``: the packs the workspace has chosen (or its industry's preset)."""

__all__ = ["TENANT_PACKS", "ComplianceCalls", "Report", "RuleResult", "Stance"]


class ComplianceCalls:
    async def validate_draft(self: _Calls, graph: Graph, packs: Sequence[str] = ()) -> Validation:
        """An unsaved graph (the canvas), with the findings of ``packs`` if any."""
        body = graph.model_dump(mode="json")
        params = {"packs": list(packs) or None}
        response = await self._call("POST", "/validate", json=body, params=params)
        return VALIDATION.validate_json(response.content)

    async def stance(self: _Calls, graph_id: str | None = None) -> Stance:
        """What the canvas is checked against after each edit, with no round trip per edit.

        The tenant's packs and agreements, and ``graph_id``'s waivers (a 404 if the tenant
        has no such graph).
        """
        response = await self._call("GET", "/compliance/stance", params={"graph_id": graph_id})
        return STANCE.validate_json(response.content)

    async def compliance_report(self: _Calls, graph_id: str, version: int | None = None) -> Report:
        """Each rule of the tenant's packs over a saved graph: passed, failed or waived."""
        path = f"/compliance/report/{quote(graph_id, safe='') or '-'}"
        response = await self._call("GET", path, params={"version": version})
        return REPORT.validate_json(response.content)

    async def tenant_report(self: _Calls) -> TenantReport:
        """The workspace's report: every graph's head and deployed versions, approvals, audit."""
        response = await self._call("GET", "/compliance/report")
        return TENANT_REPORT.validate_json(response.content)
