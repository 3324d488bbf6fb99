"""The deployed graph's schedule beside the deploy panel: next fire times and last fires.

Read from ``GET /deployments/{slug}/schedule`` when the live deployment shows and on refresh;
each fire that started a run links to it on the Runs page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from builder import routes
from builder.client.api import ServiceError
from builder.client.schedule_calls import FireView, ScheduleView
from builder.state.deploy import DeployState
from builder.state.session import api_for, failed

FIRED_BY = {
    "local": "this service's scheduler",
    "eventbridge": "AWS EventBridge Scheduler",
    "off": "nothing here (the scheduler is off)",
}


def zone_time(iso: str) -> str:
    """``Mon 2026-12-07 17:05 +01:00``: the slot as the schedule's zone has it."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    offset = moment.strftime("%z")
    zone = "UTC" if offset in ("", "+0000") else f"{offset[:3]}:{offset[3:]}"
    return f"{moment.strftime('%a %Y-%m-%d %H:%M')} {zone}"


def fire_row(fire: FireView, graph_id: str) -> dict[str, str]:
    """One last fire as the panel shows it, with the link to its run (if it started one)."""
    return {
        "when": zone_time(fire.scheduled_at),
        "status": fire.status,
        "run_id": fire.run_id or "",
        "href": f"{routes.RUNS}?graph={graph_id}&run={fire.run_id}" if fire.run_id else "",
        "color": {"fired": "green", "missed": "amber", "claimed": "blue"}[fire.status],
    }


class ScheduleState(rx.State):
    scheduled: rx.Field[bool] = rx.field(False)
    cron: rx.Field[str] = rx.field("")
    timezone: rx.Field[str] = rx.field("")
    fired_by: rx.Field[str] = rx.field("")
    catchup: rx.Field[str] = rx.field("")
    next_times: rx.Field[list[str]] = rx.field(default_factory=list)
    fires: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    loading: rx.Field[bool] = rx.field(False)

    def show(self, view: ScheduleView | None) -> None:
        """Fill the fields from an answer (None: no deployment, or none with a schedule)."""
        self.scheduled = bool(view and view.scheduled)
        if view is None or not view.scheduled:
            self.cron = self.timezone = self.fired_by = self.catchup = ""
            self.next_times, self.fires = [], []
            return
        self.cron, self.timezone = view.cron or "", view.timezone or ""
        self.fired_by = FIRED_BY.get(view.fired_by, view.fired_by)
        self.catchup = view.catchup
        self.next_times = [zone_time(t) for t in view.next_fire_times]
        self.fires = [fire_row(f, view.graph_id) for f in view.last_fires]

    @rx.event
    async def load(self) -> Any:
        """The schedule of the deployment the deploy panel shows (if it is live)."""
        return await self.fetch()

    async def fetch(self) -> Any:
        """``load``'s work, callable from other handlers (and tests) as a plain coroutine."""
        deploy = await self.get_state(DeployState)
        if not deploy.url or not deploy.slug:
            self.show(None)
            return None
        self.loading = True
        api = await api_for(self)
        try:
            view = await api.deployment_schedule(deploy.slug)
        except ServiceError as exc:
            self.loading = False
            self.show(None)
            return await failed(self, exc) if exc.unauthorized else None
        self.loading = False
        self.show(view)
        return None
