"""A provisioning job: its steps, their status and messages, written down as they happen.

The engine reports progress only through a :class:`Job`: every change is saved to the job's
:class:`JobSink` and passed to its listeners (the CLI's live display). The service's
``POST /api/v1/white-label/deploy`` will run the same engine with a sink in the platform store
and answer polls from it; the model is plain pydantic so it is stored and served as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

StepStatus = Literal["pending", "running", "succeeded", "failed", "skipped"]
JobStatus = Literal["running", "succeeded", "failed"]
JobKind = Literal["provision", "update", "teardown"]
Target = Literal["local", "aws"]

MAX_MESSAGES = 200
"""Per step: a stack's event stream is long; the oldest lines go first."""


def _now() -> datetime:
    return datetime.now(UTC)


class Step(BaseModel):
    name: str
    status: StepStatus = "pending"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    messages: list[str] = Field(default_factory=list)


class Job(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    tenant: str
    kind: JobKind
    target: Target
    status: JobStatus = "running"
    created_at: datetime = Field(default_factory=_now)
    finished_at: datetime | None = None
    steps: list[Step] = Field(default_factory=list)
    outputs: dict[str, str] = Field(default_factory=dict)
    error: str | None = None


class JobSink(Protocol):
    """Where a job is kept while it runs (and after): saved whole on every change."""

    def save(self, job: Job) -> None: ...


class MemorySink:
    """Keeps the latest copy of each job; what the CLI and the tests use."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def save(self, job: Job) -> None:
        self.jobs[job.id] = job.model_copy(deep=True)


Listener = Callable[[Job, Step | None], None]


class JobRun:
    """Runs one job's steps: ``with run.step("synth") as step: ...`` marks it done or failed."""

    def __init__(
        self, job: Job, sink: JobSink | None = None, listeners: tuple[Listener, ...] = ()
    ) -> None:
        self.job = job
        self._sink = sink or MemorySink()
        self._listeners = listeners
        self._changed(None)

    def _changed(self, step: Step | None) -> None:
        self._sink.save(self.job)
        for listener in self._listeners:
            listener(self.job, step)

    @contextmanager
    def step(self, name: str) -> Iterator[StepLog]:
        step = Step(name=name, status="running", started_at=_now())
        self.job.steps.append(step)
        self._changed(step)
        log = StepLog(self, step)
        try:
            yield log
        except BaseException as error:
            step.status = "failed"
            step.finished_at = _now()
            step.messages.append(f"failed: {error}")
            self._changed(step)
            raise
        step.status = "skipped" if log.skipped else "succeeded"
        step.finished_at = _now()
        self._changed(step)

    def finish(self, outputs: dict[str, str] | None = None) -> Job:
        self.job.status = "succeeded"
        self.job.finished_at = _now()
        if outputs is not None:
            self.job.outputs = outputs
        self._changed(None)
        return self.job

    def fail(self, error: BaseException) -> None:
        self.job.status = "failed"
        self.job.finished_at = _now()
        self.job.error = str(error)
        self._changed(None)


class StepLog:
    """What a running step may do: add a message, or say it had nothing to do."""

    def __init__(self, run: JobRun, step: Step) -> None:
        self._run = run
        self._step = step
        self.skipped = False

    def note(self, message: str) -> None:
        self._step.messages.append(message)
        del self._step.messages[:-MAX_MESSAGES]
        self._run._changed(self._step)

    def skip(self, message: str) -> None:
        self.skipped = True
        self.note(message)
