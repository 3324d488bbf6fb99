"""``auterity serve``: the service under uvicorn.

It talks to whatever DynamoDB the environment names: ``AWS_ENDPOINT_URL`` (or
``AWS_ENDPOINT_URL_DYNAMODB``) locally, nothing at all on AWS.
"""

from __future__ import annotations

import uvicorn

from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import create_table, make_client


def ensure_tables(client: object, config: ServiceConfig) -> None:
    create_table(client, config.table_name)  # type: ignore[arg-type]
    create_idempotency_table(client, config.idempotency_table_name)


def serve(host: str, port: int) -> None:
    config = ServiceConfig.from_env()
    client = make_client()
    ensure_tables(client, config)
    uvicorn.run(create_app(config, client), host=host, port=port, log_level="info")
