"""The Assistant panel: a conversation that proposes graphs, previewed on the canvas as a diff.

A substate of ``DocumentState``: it reads the canvas and edits it only through ``_commit``
(so Accept is one undo step). A proposal is never applied on arrival: ``previewing`` makes
the canvas draw ``preview_nodes`` (the proposal, each node marked added/changed/removed)
instead of the canvas, while the canvas itself stays untouched underneath, so Discard is
exact by construction. While previewing, edits are refused (``CanvasState._locked``) rather
than silently dropping the preview.

The service keeps the conversations per tenant and user; this state holds only the open
one's messages. The graph sent to the model has its secrets masked (they stay in
``_secrets``), and Accept keeps a masked value's stored secret for the same node.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import ValidationError

from builder.canvas import flow, proposal
from builder.client.api import Conversation, GenerateRequest, ServiceError
from builder.inspector import secret_fields
from builder.state.document import DocumentState, plain
from builder.state.session import api_for, failed
from builder.views import present
from runtime.core.diagnostics import Diagnostic
from runtime.core.graph import Graph
from runtime.tenant.industry import INDUSTRIES

MAX_MESSAGE = 4000
"""The service's limit on a description (``GenerateRequest.description``)."""


def _diagnostics(raw: list[dict[str, Any]]) -> list[Diagnostic]:
    """A stored turn's diagnostics; ones this builder cannot read are left out, not fatal."""
    out = []
    for item in raw:
        try:
            out.append(Diagnostic.model_validate(item))
        except ValidationError:
            continue
    return out


def _message(role: str, text: str, note: str = "", turn: int = -1) -> dict[str, str]:
    """One chat bubble; ``turn`` >= 0 when it carries a graph that can be previewed again."""
    return {"role": role, "text": text, "note": note, "turn": str(turn)}


class ChatState(DocumentState):
    industry: rx.Field[str] = rx.field("")
    """'' means the organisation's own industry (the service's default)."""
    sending: rx.Field[bool] = rx.field(False)
    messages: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    conversation_id: rx.Field[str] = rx.field("")
    conversations: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    preview_nodes: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    preview_edges: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    preview_summary: rx.Field[str] = rx.field("")
    _graphs: dict[str, dict[str, Any]] = {}
    """Graphs proposed in the open conversation, by message index (backend only)."""
    _proposal: dict[str, Any] = {}
    """The graph being previewed (backend only; Accept applies exactly this)."""

    # --- panel and conversations -----------------------------------------------------------

    @rx.event
    async def open_chat_panel(self) -> Any:
        """Refresh the saved conversations when the panel opens."""
        return await self._refresh_conversations()

    async def _refresh_conversations(self) -> Any:
        api = await api_for(self)
        if not api.token:
            return None
        try:
            listed = await api.list_conversations()
        except ServiceError as exc:
            return await failed(self, exc, "Conversations")
        self.conversations = [
            {"id": c.conversation_id, "title": c.title, "when": present.when(c.updated_at)}
            for c in listed
        ]
        return None

    @rx.event
    def set_industry(self, value: str) -> None:
        self.industry = value if value in INDUSTRIES else ""

    @rx.event
    def new_conversation(self) -> None:
        self._forget_conversation()

    def _forget_conversation(self) -> None:
        self.conversation_id = ""
        self.messages = []
        self._graphs = {}

    def _show_conversation(self, conversation: Conversation) -> None:
        self.conversation_id = conversation.conversation_id
        messages: list[dict[str, str]] = []
        graphs: dict[str, dict[str, Any]] = {}
        for turn in conversation.turns:
            if turn.role not in ("user", "assistant"):
                continue
            note = proposal.diagnostics_note(_diagnostics(turn.diagnostics))
            index = -1
            if turn.role == "assistant" and turn.graph is not None:
                index = len(messages)
                graphs[str(index)] = turn.graph.model_dump(mode="json")
            messages.append(_message(turn.role, turn.content, note, index))
        self.messages = messages
        self._graphs = graphs

    @rx.event
    async def open_conversation(self, conversation_id: str) -> Any:
        api = await api_for(self)
        try:
            conversation = await api.get_conversation(conversation_id)
        except ServiceError as exc:
            return await failed(self, exc, "Conversation")
        self._show_conversation(conversation)
        return None

    @rx.event
    async def delete_conversation(self, conversation_id: str) -> Any:
        api = await api_for(self)
        try:
            await api.delete_conversation(conversation_id)
        except ServiceError as exc:
            return await failed(self, exc, "Not deleted")
        if conversation_id == self.conversation_id:
            self._forget_conversation()
        return await self._refresh_conversations()

    # --- asking ----------------------------------------------------------------------------

    def _masked_document(self) -> Graph:
        """The canvas as a graph with secrets still masked: what the model may see."""
        base = self.document()
        return flow.flow_to_graph(plain(self.nodes), plain(self.edges), base)

    @rx.event
    async def send(self, form: dict[str, Any]) -> Any:
        text = " ".join(str(form.get("message", "")).split())[:MAX_MESSAGE]
        if not text or self.sending:
            return
        self.messages = [*self.messages, _message("user", text)]
        self.sending = True
        yield
        current = self._masked_document()
        industry = self.industry if self.industry in INDUSTRIES else None
        request = GenerateRequest.model_validate(
            {
                "description": text,
                "industry": industry,
                "graph": current.model_dump(mode="json") if current.nodes else None,
                "conversation_id": self.conversation_id or None,
            }
        )
        api = await api_for(self)
        try:
            result = await api.generate_graph(request)
        except ServiceError as exc:
            self.sending = False
            self.messages = [*self.messages, _message("error", exc.message)]
            yield await failed(self, exc, "Assistant")
            return
        self.sending = False
        self.conversation_id = result.conversation_id or self.conversation_id
        index = len(self.messages)
        self._graphs = {**self._graphs, str(index): result.graph.model_dump(mode="json")}
        note = proposal.diagnostics_note(result.diagnostics)
        self.messages = [*self.messages, _message("assistant", result.explanation, note, index)]
        self._preview(result.graph)
        yield ChatState.open_chat_panel

    # --- preview, accept, discard ----------------------------------------------------------

    def _preview(self, proposed: Graph) -> None:
        nodes, edges = proposal.preview(self._masked_document(), proposed)
        nodes, _ = secret_fields.conceal_nodes(nodes, self._secrets)
        self._proposal = proposed.model_dump(mode="json")
        self.preview_nodes, self.preview_edges = nodes, edges
        self.preview_summary = proposal.summary(nodes)
        self.previewing = True
        self.notice = ""
        self.fit_view_request += 1

    @rx.event
    def preview_turn(self, index: str) -> None:
        """Show an earlier proposal of the conversation on the canvas again."""
        raw = self._graphs.get(index)
        if raw is not None:
            self._preview(Graph.model_validate(plain(raw)))

    def _end_preview(self) -> None:
        self.previewing = False
        self.preview_nodes, self.preview_edges, self.preview_summary = [], [], ""
        self._proposal = {}
        self.notice = ""

    @rx.event
    def discard(self) -> None:
        """The canvas underneath was never touched: stop drawing the proposal over it."""
        self._end_preview()

    @rx.event
    def accept(self) -> None:
        """Apply the proposal as one undoable edit (Ctrl+Z brings the previous canvas back)."""
        if not self.previewing or not self._proposal:
            return
        proposed = Graph.model_validate(plain(self._proposal))
        self._end_preview()
        nodes, edges = proposal.applied(proposed)
        # A masked value from the canvas keeps its stored secret; old ones stay for undo.
        nodes, secrets = secret_fields.conceal_nodes(nodes, self._secrets)
        self._secrets = {**self._secrets, **secrets}
        self._commit(nodes, edges)
        self.fit_view_request += 1
