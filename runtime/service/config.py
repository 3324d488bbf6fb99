"""Service settings, read once from the environment.

Local and AWS differ in configuration only, never in code.
"""

from __future__ import annotations

import os
import secrets
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from runtime.ai.config import AiConfig
from runtime.core.egress import EgressPlatform
from runtime.schedules.policy import CATCH_UP_POLICIES, CatchUp


class ServiceConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    table_name: str = "auterity"
    idempotency_table_name: str = "auterity-idempotency"
    assets_bucket: str = "auterity-brand-assets"
    """S3 bucket of the tenants' brand asset files (logo, favicon)."""
    token_secret: str = Field(min_length=32, repr=False)
    token_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_run_seconds: float = Field(default=30.0, gt=0, le=900)
    idempotency_ttl_seconds: int = Field(default=3600, ge=60)
    public_base_url: str = "http://127.0.0.1:8000"
    deploy_target: Literal["service", "lambda"] = "service"
    """``lambda``: each deployment also becomes a Lambda function behind API Gateway."""
    lambda_layers: tuple[str, ...] = ()
    cache_seconds: float = Field(default=5.0, ge=0, le=300)
    """How stale a key, deployment or settings read may be (see ``runtime/service/lookups``)."""
    egress: EgressPlatform = Field(default_factory=EgressPlatform)
    """Ranges opened for tenants' outbound HTTP and platform endpoints denied to it
    (``AUTERITY_EGRESS_OPEN`` / ``_DENY``, ``AWS_ENDPOINT_URL*``; see ``runtime.core.egress``)."""
    lease_seconds: int = Field(default=15, ge=2, le=900)
    """How long a durable run stays its process's without a sign of life: a process killed
    mid-run has its runs taken over this long after its last checkpoint or heartbeat."""
    sweep_seconds: float = Field(default=2.0, gt=0, le=300)
    """How often the sweeper looks for runs to take over, timers due and answered waits."""
    sleep_limit_seconds: float = Field(default=5.0, ge=0, le=900)
    """A durable run's delays up to this sleep in the worker; longer ones become timers."""
    sweeper: bool = False
    """Whether this process's lifespan runs the sweeper (``runtime.service.durable.sweeper``):
    on from the environment (``AUTERITY_SWEEPER=0`` turns it off), off when built in code."""
    scheduler: bool = False
    """Fire deployed schedules from this process (``runtime.schedules.local``); ``from_env``
    turns it on unless ``AUTERITY_SCHEDULER=0`` or deployments go to Lambda (EventBridge
    Scheduler fires them there)."""
    scheduler_tick_seconds: float = Field(default=5.0, gt=0, le=60)
    schedule_catchup: CatchUp = "latest"
    """What runs after downtime (``runtime.schedules.slots``): ``AUTERITY_SCHEDULE_CATCHUP``."""
    ai: AiConfig = Field(default_factory=AiConfig, repr=False)
    """Model providers (operator credentials); none configured: AI nodes fail with a clear
    error and generate-graph falls back to the bundled templates."""

    @classmethod
    def from_env(cls) -> Self:
        """Read ``AUTERITY_*`` variables.

        A missing token secret gets a random one: tokens then die with the process, which is
        right for tests and wrong for production, so set it there.
        """
        env = os.environ
        lambda_target = env.get("AUTERITY_DEPLOY_TARGET") == "lambda"
        catchup = env.get("AUTERITY_SCHEDULE_CATCHUP", "latest")
        if catchup not in CATCH_UP_POLICIES:
            raise ValueError(
                f"AUTERITY_SCHEDULE_CATCHUP is one of {', '.join(CATCH_UP_POLICIES)},"
                f" not {catchup!r}"
            )
        return cls(
            table_name=env.get("AUTERITY_TABLE", "auterity"),
            idempotency_table_name=env.get("AUTERITY_IDEMPOTENCY_TABLE", "auterity-idempotency"),
            assets_bucket=env.get("AUTERITY_ASSETS_BUCKET")
            or "auterity-brand-assets",  # store.bucket_name
            token_secret=env.get("AUTERITY_TOKEN_SECRET") or secrets.token_urlsafe(48),
            max_body_bytes=int(env.get("AUTERITY_MAX_BODY_BYTES", 1024 * 1024)),
            max_run_seconds=float(env.get("AUTERITY_MAX_RUN_SECONDS", 30)),
            public_base_url=env.get("AUTERITY_PUBLIC_URL", "http://127.0.0.1:8000"),
            deploy_target="lambda" if lambda_target else "service",
            lambda_layers=tuple(x for x in env.get("AUTERITY_LAMBDA_LAYERS", "").split(",") if x),
            cache_seconds=float(env.get("AUTERITY_CACHE_SECONDS", 5)),
            lease_seconds=int(env.get("AUTERITY_LEASE_SECONDS", 15)),
            sweeper=env.get("AUTERITY_SWEEPER", "1") != "0",
            egress=EgressPlatform.from_env(env),
            scheduler=env.get("AUTERITY_SCHEDULER", "1") != "0" and not lambda_target,
            scheduler_tick_seconds=float(env.get("AUTERITY_SCHEDULER_TICK_SECONDS", 5)),
            schedule_catchup=catchup,
            ai=AiConfig.from_env(env),
        )
