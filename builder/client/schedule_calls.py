"""The schedule call of the builder's API client (``builder.client.api.Api`` inherits it)."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import TypeAdapter

from builder.client.brand_calls import _Calls
from runtime.service.schemas import FireView, ScheduleView

SCHEDULE = TypeAdapter(ScheduleView)

__all__ = ["FireView", "ScheduleCalls", "ScheduleView"]


class ScheduleCalls:
    async def deployment_schedule(
        self: _Calls, slug: str, count: int = 5, fires: int = 10
    ) -> ScheduleView:
        """The deployment's next ``count`` fire times and its last ``fires`` slots."""
        path = f"/deployments/{quote(slug, safe='') or '-'}/schedule"
        response = await self._call("GET", path, params={"count": count, "fires": fires})
        return SCHEDULE.validate_json(response.content)
