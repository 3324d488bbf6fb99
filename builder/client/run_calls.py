"""The Inbox and run-action calls of the builder's API client (``Api`` inherits them).

An Inbox item's wire shape is defined by the service's route module, which the builder may not
import (an import-linter contract), so it is restated here from ``runtime.store.Wait``.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter

from builder.client.brand_calls import _Calls
from runtime.store import RunRecord, Wait

__all__ = ["InboxItem", "RunCalls", "Wait"]


class InboxItem(BaseModel):
    wait: Wait
    may_decide: bool
    """Whether the caller is the assignee (the service decides; the page only shows it)."""


INBOX = TypeAdapter(list[InboxItem])
WAIT = TypeAdapter(Wait)
WAITS = TypeAdapter(list[Wait])
RUN_RECORD = TypeAdapter(RunRecord)


def _seg(value: str) -> str:
    return quote(value, safe="") or "-"


class RunCalls:
    async def inbox(self: _Calls, mine: bool = True) -> list[InboxItem]:
        """Pending approvals, oldest first; ``mine=False`` adds those others must decide."""
        response = await self._call("GET", "/inbox", params={"mine": str(mine).lower()})
        return INBOX.validate_json(response.content)

    async def decide(
        self: _Calls,
        run_id: str,
        node: str,
        decision: Literal["approve", "reject"],
        *,
        comment: str = "",
        form: dict[str, Any] | None = None,
        iteration: list[int] | None = None,
    ) -> Wait:
        """Approve or reject; 409 when someone decided first, 403 when not the assignee."""
        body = {
            "decision": decision,
            "comment": comment,
            "form": form or {},
            "iteration": iteration or [],
        }
        path = f"/inbox/{_seg(run_id)}/{_seg(node)}/decision"
        return WAIT.validate_json((await self._call("POST", path, json=body)).content)

    async def cancel_run(self: _Calls, run_id: str) -> RunRecord:
        response = await self._call("POST", f"/runs/{_seg(run_id)}/cancel")
        return RUN_RECORD.validate_json(response.content)

    async def redrive_run(self: _Calls, run_id: str) -> RunRecord:
        """Start a failed run again from its failed step (409 ``not_failed``/``not_durable``)."""
        response = await self._call("POST", f"/runs/{_seg(run_id)}/redrive")
        return RUN_RECORD.validate_json(response.content)

    async def run_waits(self: _Calls, run_id: str) -> list[Wait]:
        return WAITS.validate_json((await self._call("GET", f"/runs/{_seg(run_id)}/waits")).content)
