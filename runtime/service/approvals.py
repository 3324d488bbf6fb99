"""The SOC2 deploy gate: with the pack on, a version deploys only as approved by someone else.

The approval pins the hash of the compiled bundle (the plan the executor runs and a Lambda
deployment ships), taken when approval was asked for. Deploying checks it again, so a change
to a node type, the compiler or the graph between approval and deploy is refused rather than
shipped unreviewed. Not waivable: a waiver would be a one-person approval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runtime.core.canonical import canonical_json
from runtime.service.errors import ApiError
from runtime.store import Approval, NotFound
from runtime.store.slices import ApprovalStore

if TYPE_CHECKING:
    from compliance.names import PackName
    from runtime.engine.plan import Plan

RULE = "SOC2-DEPLOY-APPROVAL"


def bundle_hash(plan: Plan) -> str:
    """SHA-256 of the compiled plan: equal hashes, equal deployed behaviour."""
    return hashlib.sha256(canonical_json(plan.model_dump(mode="json")).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApprovalState:
    """Where one version stands under SOC2 change control."""

    approval: Approval | None
    code: str
    """``""`` when approved for exactly the bundle; else ``approval_required`` or
    ``bundle_changed``."""
    message: str
    """What is missing, naming the rule (``""`` when nothing is)."""


def approval_state(
    approvals: ApprovalStore, graph_id: str, version: int, plan: Callable[[], Plan]
) -> ApprovalState:
    """Whether a second person approved ``plan``'s bundle; ``plan`` is compiled only if asked.

    Raises what compiling raises (``CompileError``) when an approval exists to compare with.
    """
    try:
        approval: Approval | None = approvals.get_approval(graph_id, version)
    except NotFound:
        approval = None
    what = f"{graph_id!r} v{version}"
    if approval is None or approval.status != "approved":
        waiting = "is waiting for a second person" if approval else "was never asked for"
        message = f"{RULE}: approval of {what} {waiting}"
        return ApprovalState(approval, "approval_required", message)
    deployed = bundle_hash(plan())
    if deployed != approval.bundle_hash:
        message = (
            f"{RULE}: the bundle of {what} is not the one approved"
            f" ({deployed[:12]} != {approval.bundle_hash[:12]})"
        )
        return ApprovalState(approval, "bundle_changed", message)
    return ApprovalState(approval, "", "")


def require_approval(
    approvals: ApprovalStore,
    packs: tuple[PackName, ...] | list[PackName],
    plan: Plan,
    version: int,
) -> dict[str, str]:
    """Audit details of the approval that lets ``plan`` deploy; a 422 naming the rule if none.

    Returns ``{}`` when the SOC2 pack is off.
    """
    if "soc2" not in packs:
        return {}
    state = approval_state(approvals, plan.graph_id, version, lambda: plan)
    if state.code == "approval_required":
        raise ApiError(
            422,
            state.code,
            f"{state.message}; an editor or admin other than its author approves it"
            " (POST /api/v1/approvals)",
            rules=[RULE],
        )
    if state.code:
        raise ApiError(422, state.code, f"{state.message}; ask for approval again", rules=[RULE])
    assert state.approval is not None
    return {
        "approved_by": state.approval.approved_by or "",
        "bundle_hash": state.approval.bundle_hash,
    }
