"""How a node asks its run to wait for a person, a callback or a timer, without holding a worker.

A node that must wait raises ``Suspend``: the walk records it as ``waiting``, runs whatever else
does not depend on it, and ends the run ``waiting``. Whoever keeps the run (the durable runner
locally, Step Functions' task token in AWS) stores the wait, and when the answer comes it stores
the node's outputs as if it had run: the run resumes, replays every finished node from its
checkpoint and goes on from there. The node's ``run`` never sees the answer, so a waiting node
is the same plain module as any other and nothing sleeps while a person decides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

WaitKind = Literal["approval", "callback", "timer"]


class WaitRequest(BaseModel):
    """What a waiting node needs from the world, and what happens if nobody answers in time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: WaitKind
    until: str | None = None
    """ISO 8601 UTC deadline; ``None`` waits until answered (or the run is cancelled)."""
    on_timeout: dict[str, Any] | None = None
    """The outputs (port -> value) the node fires at the deadline; ``None`` fails the node."""
    title: str = ""
    """What the person or system is asked, shown in the Inbox and the run's trace."""
    details: dict[str, Any] = Field(default_factory=dict)
    """Kind-specific: an approval's assignee, form fields and ports; a callback's ports."""


class Suspend(Exception):
    """Raised by a node's ``run`` to wait; never a failure, never retried."""

    def __init__(self, request: WaitRequest) -> None:
        super().__init__(f"waiting for {request.kind}")
        self.request = request


def deadline(seconds: float | None, now: datetime | None = None) -> str | None:
    """The ISO UTC instant ``seconds`` from now (``None`` stays ``None``)."""
    if seconds is None:
        return None
    start = now or datetime.now(UTC)
    return (start + timedelta(seconds=seconds)).isoformat(timespec="seconds")
