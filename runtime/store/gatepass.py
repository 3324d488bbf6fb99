"""Evidence that a graph version passed the deploy gate: the one key to a live deployment.

The store writes a deployment (deploy, rollback, an imported deployment item) and the service
ships a Lambda function only when handed a ``GatePassed``, and only the deploy gate
(``runtime.service.gate.pass_gate``) can make one: the issuer below is claimed once per process,
by the gate, and the constructor refuses anything without the issuer's seal. So a new code path
cannot put a version live without having run the gate; it fails loudly instead.

The evidence names the tenant, the version and the version's hash the gate checked; the store
refuses it for another tenant, another version, or a version rewritten since (a GDPR erasure),
so what goes live is always what was checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.store.errors import Conflict, InvalidInput, StoreError

if TYPE_CHECKING:
    from runtime.core.graph import Graph
    from runtime.engine.plan import Plan


class GateRefused(StoreError):
    """The deploy gate refused a version; the message names the rule (and node) or problem."""


_SEAL = object()
_claimed = False


@dataclass(frozen=True, slots=True)
class GatePassed:
    """One version of one tenant's graph, as the gate checked and compiled it."""

    tenant_id: str
    graph_id: str
    version: int
    graph_hash: str
    """The stored version's ``hash`` when it was checked."""
    bundle_hash: str
    """``runtime.service.approvals.bundle_hash`` of ``plan``: what SOC2 approval pinned."""
    plan: Plan
    graph: Graph
    details: dict[str, Any]
    """What the gate found (packs, waived rules, approver), for the audit trail."""
    seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise TypeError("only the deploy gate (runtime.service.gate.pass_gate) issues these")

    def admit(self, tenant_id: str, graph_id: str, version: int, stored_hash: str | None) -> None:
        """Refuse the evidence for anything but the version it was issued for, unchanged."""
        if (self.tenant_id, self.graph_id, self.version) != (tenant_id, graph_id, version):
            raise InvalidInput(
                f"the deploy gate passed {self.tenant_id}/{self.graph_id} v{self.version},"
                f" not {tenant_id}/{graph_id} v{version}"
            )
        if stored_hash != self.graph_hash:
            raise Conflict(
                f"graph '{graph_id}' version {version} changed after the deploy gate checked it;"
                " deploy it again"
            )


Issuer = Callable[..., GatePassed]


def claim_issuer() -> Issuer:
    """The function that makes ``GatePassed``; the deploy gate claims it, once per process."""
    global _claimed
    if _claimed:
        raise RuntimeError("the GatePassed issuer is already claimed by the deploy gate")
    _claimed = True

    def issue(**fields: Any) -> GatePassed:
        return GatePassed(**fields, seal=_SEAL)

    return issue
