"""The handlers a deployed bundle exports: the engine's, run under the function's tenant.

Each invocation runs on a fresh event loop: the tenant's options and model session (a ledger
over its store) apply inside, and the model clients the run opened are closed after it. A
bundle outside a tenant's function (the CLI, a test of an extracted zip) runs with the process
defaults. The bundle carries no package metadata, so the default session is bound here rather
than found through the entry point.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from nodes.registry import Registry
from runtime.ai.session import close_default_session, default_session
from runtime.core.llm.session import bound_session
from runtime.core.options import RunOptions
from runtime.deployed.tenant import TENANT_ENV, DeployedTenant
from runtime.engine import handlers
from runtime.engine.asl import handler as asl
from runtime.engine.handlers import Handler, load_bundle_plan
from runtime.engine.plan import Plan
from runtime.store.assets import bucket_name, make_s3_client
from runtime.store.state_objects import StateObjects

__all__ = ["load_bundle_plan", "make_run_handler", "make_state_handler", "make_step_handler"]


@asynccontextmanager
async def _scope(tenant: DeployedTenant | None) -> AsyncIterator[RunOptions | None]:
    try:
        if tenant is None:
            with bound_session(default_session):
                yield None
        else:
            options = tenant.options()
            with tenant.ai_session():
                yield options
    finally:
        await close_default_session()


def make_run_handler(plan: Plan, registry: Registry | None = None) -> Handler:
    """A whole run; a function deployed for a tenant runs under its settings and ledger."""
    return handlers.make_run_handler(plan, registry, partial(_scope, DeployedTenant.from_env()))


def make_step_handler(plan: Plan, node_id: str, registry: Registry | None = None) -> Handler:
    """One node; the event carries the run's options."""
    return handlers.make_step_handler(plan, node_id, registry, partial(_scope, None))


def state_objects() -> StateObjects | None:
    """The function's tenant's offloaded values (its bucket, its prefix); None outside one."""
    tenant = os.environ.get(TENANT_ENV)
    if not tenant:
        return None
    return StateObjects(make_s3_client(), bucket_name(), tenant)


def make_state_handler(plan: Plan, registry: Registry | None = None) -> Handler:
    """What the graph's ASL state machine invokes (``${StepHandler}``).

    The event carries the run's options, as a step's does; records too big for the state go to
    the tenant's bucket (``runtime.engine.asl.offload``).
    """
    return asl.make_state_handler(plan, registry, partial(_scope, None), state_objects())
