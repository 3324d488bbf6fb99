"""AWS mode: a deployment's EventBridge Scheduler schedule follows its version.

Called where a version goes live (``gate.go_live``) and where a deployment is taken down
(``routes.deployments.take_down``); the schedule is named as the function it invokes.
"""

from __future__ import annotations

from runtime.core.graph import Graph
from runtime.schedules.deployed import schedule_of
from runtime.schedules.eventbridge import ScheduleNotSupported, eventbridge_cron
from runtime.service.aws_deploy import function_name
from runtime.service.errors import ApiError
from runtime.service.schemas import LambdaEndpoint
from runtime.service.state import ServiceState


def refuse_unschedulable(state: ServiceState, graph: Graph) -> None:
    """A 422 naming ``cron`` before anything ships, when EventBridge cannot express it."""
    config = schedule_of(graph)
    if state.eventbridge is None or config is None:
        return
    try:
        eventbridge_cron(config.cron)
    except ScheduleNotSupported as exc:
        raise ApiError(422, "schedule_not_supported", f"cron: {exc}", field="cron") from None


def schedule_on_eventbridge(
    state: ServiceState, tenant_id: str, slug: str, graph: Graph, endpoint: LambdaEndpoint
) -> None:
    """Create, update or delete the schedule so it matches the version now live."""
    if state.eventbridge is None:
        return
    state.eventbridge.sync(
        function_name(tenant_id, slug),
        schedule_of(graph),
        endpoint.alias_arn or endpoint.function_arn,
        tenant_id=tenant_id,
        role_name=function_name(tenant_id, "scheduler"),
        machine=endpoint.alias_arn is not None,
    )


def unschedule_on_eventbridge(state: ServiceState, tenant_id: str, slug: str) -> None:
    if state.eventbridge is not None:
        state.eventbridge.remove(function_name(tenant_id, slug))
