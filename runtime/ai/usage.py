"""Usage accounting: one record per provider tried, the monthly spend, and budget checks.

The router talks to a ``UsageLedger``: the service gives it one over the tenant's store, the CLI
and tests one in memory. Both enforce a budget the same way (reserve the worst case before the
call, settle to the real cost after), so what a test proves holds in production.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from runtime.ai.errors import FailureKind

if TYPE_CHECKING:
    from runtime.store import UsageRecord
    from runtime.store.slices import UsageStore

USAGE_KIND = "ai.call"
MICROS = 1_000_000

Outcome = Literal["ok"] | FailureKind


class AiCall(BaseModel):
    """What one provider attempt series cost; stored as a usage record's ``details``."""

    model_config = ConfigDict(extra="forbid")

    at: str
    tenant_id: str
    graph_id: str | None = None
    run_id: str | None = None
    node_id: str | None = None
    purpose: str = "node"
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    attempts: int = 1
    outcome: Outcome = "ok"
    error: str | None = None

    def to_record(self) -> UsageRecord:
        from runtime.store import UsageRecord  # the store loads botocore: tenant ledgers only

        return UsageRecord(
            at=self.at,
            kind=USAGE_KIND,
            graph_id=self.graph_id,
            run_id=self.run_id,
            quantity=self.cost_usd,
            details=self.model_dump(exclude={"at", "graph_id", "run_id", "tenant_id"}),
        )

    @classmethod
    def from_record(cls, tenant_id: str, record: UsageRecord) -> AiCall:
        return cls.model_validate(
            {
                **record.details,
                "at": record.at,
                "tenant_id": tenant_id,
                "graph_id": record.graph_id,
                "run_id": record.run_id,
            }
        )


def to_micros(usd: float) -> int:
    return round(usd * MICROS)


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


class UsageLedger(Protocol):
    async def reserve(self, month: str, micros: int, limit_micros: int) -> tuple[bool, int]:
        """Add ``micros`` unless the month's total would pass the limit: ``(granted, total)``."""

    async def adjust(self, month: str, micros: int) -> None:
        """Add (or give back) an amount to the month's total."""

    async def record(self, call: AiCall) -> None: ...

    async def spent(self, month: str) -> int: ...


class MemoryLedger:
    """In-process accounting for the CLI, the benchmark and tests (bounded history)."""

    def __init__(self, history: int = 10_000) -> None:
        self.totals: dict[str, int] = {}
        self.calls: deque[AiCall] = deque(maxlen=history)

    async def reserve(self, month: str, micros: int, limit_micros: int) -> tuple[bool, int]:
        total = self.totals.get(month, 0)
        if total + micros > limit_micros:
            return False, total
        self.totals[month] = total + micros
        return True, total + micros

    async def adjust(self, month: str, micros: int) -> None:
        self.totals[month] = self.totals.get(month, 0) + micros

    async def record(self, call: AiCall) -> None:
        self.calls.append(call)

    async def spent(self, month: str) -> int:
        return self.totals.get(month, 0)


class StoreLedger:
    """The tenant's DynamoDB items; blocking boto3 calls run in a worker thread."""

    def __init__(self, store: UsageStore) -> None:
        self.store = store

    async def reserve(self, month: str, micros: int, limit_micros: int) -> tuple[bool, int]:
        done = await asyncio.to_thread(self.store.reserve_spend, month, micros, limit_micros)
        return done.granted, done.spent_micros

    async def adjust(self, month: str, micros: int) -> None:
        if micros:
            await asyncio.to_thread(self.store.add_spend, month, micros)

    async def record(self, call: AiCall) -> None:
        await asyncio.to_thread(self.store.record_usage, call.to_record())

    async def spent(self, month: str) -> int:
        return await asyncio.to_thread(self.store.get_spend, month)
