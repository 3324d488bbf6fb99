"""Signed links that answer a waiting node: approve/reject for a person, a callback URL.

A link names tenant, run, node and action, signed with an HMAC of the service's token secret,
so it cannot be forged or pointed at another run, and it is known before the node waits: any
node of the run can send it (``{{ run.links.<node>.approve }}`` in an email or a Slack message,
like n8n's ``$execution.resumeUrl``). It is single-use because the wait it answers accepts one
answer: a replayed link finds the wait answered and is refused (and audited).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

if TYPE_CHECKING:
    from runtime.engine.plan import Plan
    from runtime.service.state import ServiceState

Action = Literal["approve", "reject", "callback"]
ACTIONS: dict[str, tuple[Action, ...]] = {
    "flow.approval": ("approve", "reject"),
    "flow.wait_for_callback": ("callback",),
}
"""Node types whose waits links answer, and the actions of each."""
PATH = "/w"
"""Where links point (``runtime.service.routes.wait_links``): outside ``/api``, no login."""


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"auterity wait links\0" + secret.encode()).digest()


def signature(secret: str, tenant_id: str, run_id: str, node: str, action: str) -> str:
    message = "\0".join((tenant_id, run_id, node, action)).encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def valid(secret: str, tenant_id: str, run_id: str, node: str, action: str, sig: str) -> bool:
    expected = signature(secret, tenant_id, run_id, node, action)
    return hmac.compare_digest(expected, sig)


def url(state: ServiceState, tenant_id: str, run_id: str, node: str, action: Action) -> str:
    sig = signature(state.config.token_secret, tenant_id, run_id, node, action)
    base = state.config.public_base_url.rstrip("/")
    path = "/".join(quote(part, safe="") for part in (tenant_id, run_id, node, action))
    return f"{base}{PATH}/{path}?sig={sig}"


def for_run(
    state: ServiceState, tenant_id: str, run_id: str, plan: Plan
) -> dict[str, dict[str, str]]:
    """``run.links``: each top-level waiting node's links, by node id and action."""
    found: dict[str, dict[str, str]] = {}
    for node_id in plan.root.order:
        actions = ACTIONS.get(plan.steps[node_id].type, ())
        if actions:
            found[node_id] = {a: url(state, tenant_id, run_id, node_id, a) for a in actions}
    return found
