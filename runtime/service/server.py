"""``auterity serve``: the service under uvicorn.

It talks to whatever DynamoDB and S3 the environment names: ``AWS_ENDPOINT_URL`` (or
``AWS_ENDPOINT_URL_DYNAMODB`` / ``_S3``) locally, nothing at all on AWS.
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from runtime.engine.gc_pause import freeze_startup_heap
from runtime.service.app import create_app
from runtime.service.config import ServiceConfig
from runtime.service.connection_limits import ConnectionLimits, limited_h11
from runtime.service.idempotency import create_idempotency_table
from runtime.store import create_bucket, create_table, make_client, make_s3_client


def ensure_tables(client: object, config: ServiceConfig) -> None:
    create_table(client, config.table_name)  # type: ignore[arg-type]
    create_idempotency_table(client, config.idempotency_table_name)


def ensure_bucket(config: ServiceConfig, endpoint_url: str | None = None) -> None:
    """The brand assets bucket, through the same endpoint configuration as the tables."""
    create_bucket(make_s3_client(endpoint_url=endpoint_url), config.assets_bucket)


def preload() -> None:
    """Import now what the first run would: the compiler (NetworkX), executor and node types.

    The Lambda handler defers them to keep cold starts small; a long-running server would
    rather have them in the heap it freezes (``freeze_startup_heap``), and its first request
    not pay for them.
    """
    # The point of this function: what the Lambda defers, a server loads before freezing.
    from compliance.trace import RunLabels
    from nodes.registry import default_registry
    from runtime.engine.compile import build_plan
    from runtime.engine.executor import Executor

    default_registry()
    del RunLabels, build_plan, Executor  # imported for their modules, not used here


def serving_app(config: ServiceConfig, client: object) -> FastAPI:
    """The app as a long-running server runs it: everything loaded, then the heap frozen."""
    app = create_app(config, client)
    preload()
    freeze_startup_heap()
    return app


def serve_config(host: str, port: int) -> ServiceConfig:
    """The environment's config, with this server's own address denied to tenants' egress."""
    config = ServiceConfig.from_env()
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    egress = config.egress.denying([address], "the service's own address")
    return config.model_copy(update={"egress": egress})


def serve(host: str, port: int, limits: ConnectionLimits | None = None) -> None:
    """``limits`` bound slow and piled-up connections (``connection_limits``)."""
    config = serve_config(host, port)
    client = make_client()
    ensure_tables(client, config)
    ensure_bucket(config)
    uvicorn.run(
        serving_app(config, client),
        host=host,
        port=port,
        log_level="info",
        http=limited_h11(limits or ConnectionLimits()),
    )
