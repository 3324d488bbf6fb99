"""The SOC2 deploy gate: with the pack on, a version deploys only as approved by someone else.

The approval pins the hash of the compiled bundle (the plan the executor runs and a Lambda
deployment ships), taken when approval was asked for. Deploying checks it again, so a change
to a node type, the compiler or the graph between approval and deploy is refused rather than
shipped unreviewed. Not waivable: a waiver would be a one-person approval.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from runtime.canonical import canonical_json
from runtime.service.errors import ApiError
from runtime.store import NotFound, TenantStore

if TYPE_CHECKING:
    from compliance.names import PackName
    from runtime.plan import Plan

RULE = "SOC2-DEPLOY-APPROVAL"


def bundle_hash(plan: Plan) -> str:
    """SHA-256 of the compiled plan: equal hashes, equal deployed behaviour."""
    return hashlib.sha256(canonical_json(plan.model_dump(mode="json")).encode()).hexdigest()


def require_approval(
    store: TenantStore, packs: tuple[PackName, ...] | list[PackName], plan: Plan, version: int
) -> dict[str, str]:
    """Audit details of the approval that lets ``plan`` deploy; a 422 naming the rule if none.

    Returns ``{}`` when the SOC2 pack is off.
    """
    if "soc2" not in packs:
        return {}
    graph_id = plan.graph_id
    try:
        approval = store.get_approval(graph_id, version)
    except NotFound:
        approval = None
    if approval is None or approval.status != "approved":
        state = "is waiting for a second person" if approval else "was never asked for"
        raise ApiError(
            422,
            "approval_required",
            f"{RULE}: approval of {graph_id!r} v{version} {state}; an editor or admin other"
            " than its author approves it (POST /api/v1/approvals)",
            rules=[RULE],
        )
    deployed = bundle_hash(plan)
    if deployed != approval.bundle_hash:
        raise ApiError(
            422,
            "bundle_changed",
            f"{RULE}: the bundle of {graph_id!r} v{version} is not the one approved"
            f" ({deployed[:12]} != {approval.bundle_hash[:12]}); ask for approval again",
            rules=[RULE],
        )
    return {"approved_by": approval.approved_by or "", "bundle_hash": deployed}
