"""Answering a waiting node: a person's decision or an external system's callback.

Whichever way it comes (the Inbox, the API, a signed link), an answer is checked here the same
way, stored with one conditional write (the first answer wins, a second is refused), audited
with who and when, and the run is woken to go on.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from nodes.flow.approval import Decision, decision_outputs, form_values
from nodes.flow.callback import callback_outputs
from runtime.core.clock import utc_now
from runtime.service.auth import ROLE_RANK, Principal
from runtime.service.errors import ApiError
from runtime.service.state import ServiceState
from runtime.store import NotFound, Wait
from runtime.store.errors import Conflict
from runtime.store.slices import AuditStore, RunStore, WaitStore

Via = Literal["inbox", "api", "link"]


class AnswerStore(WaitStore, RunStore, AuditStore, Protocol):
    """Answer a wait: the wait, its run and the audit trail."""


def may_decide(wait: Wait, principal: Principal) -> bool:
    """The assignee decides: anyone with the role (or above), or the one person named."""
    assignee = str(wait.details.get("assignee", "role:editor"))
    kind, _, who = assignee.partition(":")
    if kind == "user":
        return principal.actor == assignee
    return who in ROLE_RANK and principal.can(who)


def find(store: AnswerStore, run_id: str, node: str, iteration: tuple[int, ...]) -> Wait:
    """The wait, or a 404 that says the same for unknown, other tenants' and ended runs."""
    try:
        return store.get_wait(run_id, node, iteration)
    except NotFound:
        raise ApiError(
            404, "not_found", f"run {run_id!r} is not waiting at node {node!r}"
        ) from None


def refused(store: AnswerStore, wait: Wait, actor: str, via: Via, reason: str) -> None:
    """Audit an answer that was not taken: a replayed link, someone not the assignee."""
    store.record_audit(
        actor=actor,
        action="wait.refused",
        target=wait.graph_id,
        details={"run_id": wait.run_id, "node": wait.node, "via": via, "reason": reason},
        outcome="failed",
    )


def decide(
    state: ServiceState,
    store: AnswerStore,
    wait: Wait,
    decision: Decision,
    *,
    actor: str,
    via: Via,
    comment: str = "",
    form: dict[str, Any] | None = None,
) -> Wait:
    """Blocking: store a person's decision on an approval; 409 if one was made already."""
    if wait.kind != "approval":
        raise ApiError(409, "not_an_approval", f"node {wait.node!r} waits for a {wait.kind}")
    if wait.status != "pending":  # before the form: a late approver learns it was decided
        message = f"the wait at node {wait.node!r} of run {wait.run_id!r} was already {wait.status}"
        refused(store, wait, actor, via, message)
        raise ApiError(409, "already_answered", message)
    try:
        fields = list(wait.details.get("fields") or [])
        values = form_values(fields, form or {}, required=decision == "approved")
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    if len(comment) > 5000:
        raise ApiError(422, "invalid", "comment: 5,000 characters at most")
    outputs = decision_outputs(
        decision, by=actor, at=utc_now(), comment=comment, form=values, input=wait.input
    )
    return _answer(state, store, wait, decision, outputs, actor=actor, via=via, comment=comment)


def call_back(
    state: ServiceState, store: AnswerStore, wait: Wait, body: Any, query: dict[str, str]
) -> Wait:
    """Blocking: store an external system's callback; 409 if one came already."""
    if wait.kind != "callback":
        raise ApiError(409, "not_a_callback", f"node {wait.node!r} waits for a {wait.kind}")
    outputs = callback_outputs(body, query, utc_now())
    return _answer(state, store, wait, "answered", outputs, actor="callback", via="link")


def _answer(
    state: ServiceState,
    store: AnswerStore,
    wait: Wait,
    status: Literal["approved", "rejected", "answered"],
    outputs: dict[str, Any],
    *,
    actor: str,
    via: Via,
    comment: str = "",
) -> Wait:
    iteration = tuple(wait.iteration)
    try:
        answered = store.answer_wait(
            wait.run_id,
            wait.node,
            iteration,
            status=status,
            outputs=outputs,
            by=actor,
            comment=comment,
        )
    except NotFound:
        raise ApiError(
            404, "not_found", f"run {wait.run_id!r} is not waiting at node {wait.node!r}"
        ) from None
    except Conflict as exc:
        refused(store, wait, actor, via, str(exc))
        raise ApiError(409, "already_answered", str(exc)) from None
    store.record_audit(
        actor=actor,
        action=f"wait.{status}",
        target=wait.graph_id,
        details={
            "run_id": wait.run_id,
            "node": wait.node,
            "iteration": list(iteration),
            "via": via,
        },
        outcome="succeeded",
    )
    state.wake(store.tenant_id, wait.run_id)
    return answered
