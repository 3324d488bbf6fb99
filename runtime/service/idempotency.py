"""``Idempotency-Key`` on deployed endpoints: a repeated delivery gets the first run's result.

Built on Powertools idempotency with its DynamoDB persistence layer (its own table, key ``id``,
TTL ``expiration``). Powertools is synchronous, so the keyed run happens in a worker thread;
a duplicate that arrives while the first run is still in progress waits for its result
instead of running again. The key is scoped by tenant and slug, and the request (method,
query, body) is the payload Powertools validates: the same key with another body is a 422.
``?async=1`` deliveries take the same path; what they do under the key is write the queued
record, so a duplicate's 202 names the first run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from runtime.service.errors import ApiError
from runtime.service.run_recording import (
    Prepared,
    RecordingStore,
    RunningStore,
    execute_and_record,
    queue_run,
    spawn_queued_run,
)
from runtime.service.state import ServiceState
from runtime.store import Deployment, RunRecord
from runtime.store.slices import RunStore

MAX_KEY_CHARS = 256
POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    slug: str
    key: str


def create_idempotency_table(client: Any, table_name: str) -> None:
    """The table Powertools' DynamoDB persistence layer expects; idempotent."""
    existing = client.list_tables().get("TableNames", [])
    if table_name in existing:
        return
    client.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )


class _RunDeadline:
    """Stands in for a Lambda context.

    Powertools expires an in-progress record when the invocation would have timed out, so a
    crashed worker never blocks a key for an hour.
    """

    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _claim_keyed(
    state: ServiceState,
    runs: RunStore,
    data: dict[str, Any],
    produce: Callable[[], RunRecord],
) -> tuple[RunRecord, bool]:
    """Blocking: ``produce`` the run under the key, or return the run the key already names.

    Powertools claims the key with a conditional put before ``produce`` runs, so of any number
    of concurrent deliveries exactly one produces; the others wait for its run id. The flag
    says whether this call produced the run.
    """
    # cold start: Powertools' idempotency (and its JMESPath setup) loads on the first webhook
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
    )

    persistence = DynamoDBPersistenceLayer(
        table_name=state.config.idempotency_table_name, boto3_client=state.client
    )
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        expires_after_seconds=state.config.idempotency_ttl_seconds,
    )
    config.register_lambda_context(_RunDeadline(state.config.max_run_seconds + 5))  # type: ignore[arg-type]

    @idempotent_function(data_keyword_argument="data", persistence_store=persistence, config=config)  # type: ignore[untyped-decorator]
    def deliver(data: dict[str, Any]) -> dict[str, Any]:
        record = produce()
        delivered.append(record)
        # Only the id is kept by Powertools: a whole run can exceed DynamoDB's item size, and
        # a failed save would leave the key "in progress" and let a retry run twice.
        return {"run_id": record.run_id}

    delivered: list[RunRecord] = []
    deadline = time.monotonic() + state.config.max_run_seconds + 5
    while True:
        try:
            result: dict[str, Any] = deliver(data=data)
        except IdempotencyAlreadyInProgressError:
            if time.monotonic() > deadline:
                raise ApiError(
                    409, "in_progress", "a request with this Idempotency-Key is still running"
                ) from None
            time.sleep(POLL_SECONDS)
            continue
        if delivered:  # this call produced the run: answer with the run as it happened
            return delivered[0], True
        return runs.get_run(str(result["run_id"])), False  # a repeat: the first delivery's run


async def _keyed(
    state: ServiceState,
    runs: RunStore,
    key: IdempotencyKey,
    event: dict[str, Any],
    produce: Callable[[], RunRecord],
) -> tuple[RunRecord, bool]:
    """The one idempotency path of synchronous and asynchronous deliveries.

    The request Powertools validates includes the query, so a key first used with
    ``?async=1`` and then without it (or the reverse) is another request: a 422.
    """
    # Imported on the first keyed delivery: Powertools' DynamoDB layer imports boto3, which a
    # cold start should not pay for requests without an Idempotency-Key.
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    if len(key.key) > MAX_KEY_CHARS or not key.key.isprintable():
        raise ApiError(
            422, "invalid", f"Idempotency-Key: at most {MAX_KEY_CHARS} printable characters"
        )
    data = {
        "key": f"{runs.tenant_id}/{key.slug}/{key.key}",
        "request": {"method": event["method"], "query": event["query"], "body": event["body"]},
    }
    try:
        return await run_in_threadpool(_claim_keyed, state, runs, data, produce)
    except IdempotencyValidationError:
        raise ApiError(
            422,
            "idempotency_mismatch",
            "Idempotency-Key was already used with a different request body",
        ) from None
    except IdempotencyPersistenceLayerError:
        raise ApiError(
            503,
            "unavailable",
            "the idempotency store is unavailable; retry",
            headers={"retry-after": "1"},
        ) from None


async def run_once(
    state: ServiceState,
    store: RecordingStore,
    key: IdempotencyKey,
    *,
    deployment: Deployment,
    event: dict[str, Any],
) -> RunRecord:
    """A synchronous keyed delivery: the run happens under the claim, duplicates wait for it."""

    async def execute() -> RunRecord:
        try:
            return await execute_and_record(
                state,
                store,
                graph_id=deployment.graph_id,
                version=deployment.version,
                event=event,
                trigger="http",
                slug=deployment.slug,
                actor="endpoint",
                idempotency_key=key.key,
            )
        finally:
            await state.close()  # model clients opened on this loop die with it

    record, _ = await _keyed(state, store, key, event, lambda: asyncio.run(execute()))
    return record


async def queue_once(
    state: ServiceState,
    store: RunningStore,
    key: IdempotencyKey,
    *,
    deployment: Deployment,
    event: dict[str, Any],
) -> RunRecord:
    """An asynchronous (``?async=1``) keyed delivery: the claim covers the queued record only.

    The run starts after it, once, on the server's loop. A duplicate gets the first run as it
    is now (queued, running or finished) and starts nothing.
    """
    queued: list[Prepared] = []

    def produce() -> RunRecord:
        record, prepared = queue_run(
            state,
            store,
            graph_id=deployment.graph_id,
            version=deployment.version,
            slug=deployment.slug,
            event=event,
            idempotency_key=key.key,
        )
        queued.append(prepared)
        return record

    record, fresh = await _keyed(state, store, key, event, produce)
    if fresh:
        spawn_queued_run(state, store, record, queued[0], event)
    return record
