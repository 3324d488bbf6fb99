"""Graphs as the API shows and takes them: secrets masked on the way out, kept on the way in.

Every route that returns a stored graph calls ``shown``; every route that takes a graph which
may carry masks back (save, create from a copy, a draft run) calls ``with_secrets``. Editors
see credential-looking literals in plain fields (they are the ones to move them); viewers
do not. See ``runtime.engine.secret_configs``.
"""

from __future__ import annotations

from runtime.core.graph import Graph
from runtime.engine.secret_configs import MaskWithoutSecret, has_masks, masked, restored
from runtime.service.auth import Principal
from runtime.service.errors import ApiError
from runtime.store import GraphVersion, NotFound
from runtime.store.slices import GraphStore


def shown(version: GraphVersion, principal: Principal) -> GraphVersion:
    """The stored version as ``principal`` may read it."""
    graph = masked(version.graph, plain_credentials=not principal.can("editor"))
    return version.model_copy(update={"graph": graph})


def with_secrets(
    graphs: GraphStore, graph: Graph, base_id: str | None, base_version: int | None = None
) -> Graph:
    """``graph`` with its masks replaced by the secrets of ``base_id`` (at ``base_version``).

    No base (a new graph, a draft of an unsaved one) leaves nothing to keep: a mask is then
    a 422 naming the field rather than a header that says ``••••••••``.
    """
    if not has_masks(graph):
        return graph
    base: Graph | None = None
    if base_id is not None:
        try:
            base = graphs.get_graph(base_id, base_version).graph
        except NotFound:
            base = None
    try:
        return restored(graph, base)
    except MaskWithoutSecret as exc:
        raise ApiError(422, "invalid", str(exc)) from None
