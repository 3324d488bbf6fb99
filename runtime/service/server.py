"""``auterity serve``: the service under uvicorn.

It talks to whatever DynamoDB and S3 the environment names: ``AWS_ENDPOINT_URL`` (or
``AWS_ENDPOINT_URL_DYNAMODB`` / ``_S3``) locally, nothing at all on AWS.
"""

from __future__ import annotations

import uvicorn

from runtime.gc_pause import freeze_startup_heap
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.idempotency import create_idempotency_table
from runtime.store import create_bucket, create_table, make_client, make_s3_client


def ensure_tables(client: object, config: ServiceConfig) -> None:
    create_table(client, config.table_name)  # type: ignore[arg-type]
    create_idempotency_table(client, config.idempotency_table_name)


def ensure_bucket(config: ServiceConfig, endpoint_url: str | None = None) -> None:
    """The brand assets bucket, through the same endpoint configuration as the tables."""
    create_bucket(make_s3_client(endpoint_url=endpoint_url), config.assets_bucket)


def serve(host: str, port: int) -> None:
    config = ServiceConfig.from_env()
    client = make_client()
    ensure_tables(client, config)
    ensure_bucket(config)
    app = create_app(config, client)
    freeze_startup_heap()
    uvicorn.run(app, host=host, port=port, log_level="info")
