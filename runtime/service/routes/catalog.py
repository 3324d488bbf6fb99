"""The node catalog: what the builder's palette and inspector forms are generated from."""

from __future__ import annotations

from fastapi import APIRouter

from nodes.registry import NodeDescriptor, default_registry
from runtime.service.deps import Viewer

router = APIRouter(tags=["catalog"])


@router.get("/nodes")
def list_node_types(auth: Viewer) -> list[NodeDescriptor]:
    registry = default_registry()
    return [registry.describe(t) for t in registry.latest()]
