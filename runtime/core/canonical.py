"""The one serialization used for hashing and bundling: sorted keys, no spaces.

Kept free of heavy imports: the store hashes every saved graph version with it, and the
Lambda handler's cold start must not pay for the compiler (and NetworkX) to do that.
"""

from __future__ import annotations

import hashlib
import json

from runtime.core.graph import Graph


def canonical_json(value: object) -> str:
    """The one serialization used for hashing and bundling: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def graph_hash(graph: Graph) -> str:
    return hashlib.sha256(canonical_json(graph.model_dump(mode="json")).encode()).hexdigest()
