"""The Inbox page: pending approvals, and approving or rejecting them with the asked-for form.

The service decides who may decide and what is valid; this state only collects what the
approver typed and shows the service's answer (a 409 when someone else decided first).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import reflex as rx

from builder.client.api import ServiceError
from builder.state.session import api_for, failed
from builder.views import inbox_view


class InboxState(rx.State):
    items: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    show_all: rx.Field[bool] = rx.field(False)
    """``mine=false``: also the approvals others must decide (shown without buttons)."""
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    """Item key -> the service's refusal of the last decision on it."""
    notice: rx.Field[str] = rx.field("")
    """The last refusal of an item that then left the list (someone else decided first)."""
    busy: rx.Field[str] = rx.field("")
    """The key of the item being decided (its buttons spin)."""

    _typed: dict[str, dict[str, str]] = {}
    """Item key -> field name -> what was typed ("true"/"false" for a checkbox)."""
    _comments: dict[str, str] = {}

    @rx.var
    def count(self) -> int:
        """How many the user may decide now (the navigation's badge)."""
        return sum(1 for item in self.items if item.get("may_decide"))

    @rx.event
    async def load(self) -> Any:
        return await self._reload()

    async def _reload(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        try:
            items = await api.inbox(mine=not self.show_all)
            heads = await api.list_graphs()
        except ServiceError as exc:
            return await failed(self, exc)
        names = {h.graph_id: h.name for h in heads}
        self.items = [inbox_view.inbox_row(i.wait, i.may_decide, names) for i in items]
        keys = {row["key"] for row in self.items}
        self.errors = {k: v for k, v in self.errors.items() if k in keys}
        self._typed = {k: v for k, v in self._typed.items() if k in keys}
        self._comments = {k: v for k, v in self._comments.items() if k in keys}
        self.loaded = True
        return None

    @rx.event
    async def poll(self, _moment: Any = None) -> Any:
        """The page's timer: new requests appear, decided ones go, without a reload."""
        if self.busy:
            return None
        return await self._reload()

    @rx.event
    async def toggle_all(self, value: bool) -> Any:
        self.show_all = value
        return await self._reload()

    @rx.event
    def set_value(self, key: str, name: str, value: str | bool) -> None:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        self._typed.setdefault(key, {})[name] = text

    @rx.event
    def set_comment(self, key: str, value: str) -> None:
        self._comments[key] = value

    @rx.event
    async def approve(self, key: str) -> Any:
        return await self._decide(key, "approve")

    @rx.event
    async def reject(self, key: str) -> Any:
        return await self._decide(key, "reject")

    async def _decide(self, key: str, decision: Literal["approve", "reject"]) -> Any:
        item = next((row for row in self.items if row["key"] == key), None)
        if item is None:
            return None
        form = inbox_view.form_values(item["fields"], self._typed.get(key, {}))
        api = await api_for(self)
        self.busy = key
        try:
            await api.decide(
                item["run_id"],
                item["node"],
                decision,
                comment=self._comments.get(key, ""),
                form=form,
                iteration=json.loads(item["iteration"]),
            )
        except ServiceError as exc:
            self.busy = ""
            if exc.unauthorized or exc.status == 0:
                return await failed(self, exc)
            if exc.conflict:  # decided by someone else: the card goes, the reason stays
                self.notice = exc.message
                await self._reload()
                return rx.toast.error(exc.message, duration=8000)
            self.errors = {**self.errors, key: exc.message}
            return None
        self.busy = self.notice = ""
        self.errors = {k: v for k, v in self.errors.items() if k != key}
        done = "Approved" if decision == "approve" else "Rejected"
        await self._reload()
        return rx.toast.success(f"{done}: {item['title']}")
