"""JSONPaths into the run's state and the names of a node's states.

Node ids are ``[A-Za-z_][A-Za-z0-9_-]*`` and ports ``[a-z][a-z0-9_]*`` (the graph schema): a
port, and an id without ``-``, go into dot notation as they are; an id with ``-`` into bracket
notation (``['my-node']``), the form paths with special characters take. Nothing a user wrote
is ever parsed as a path operator, and no id is ever inside an intrinsic function, whose
grammar has no ``-`` in names.
State names of nodes are the id (the node's entry state) or ``<id>: <role>``; the machine's own
states have a space in their names, which no node id has, so the two never collide.
"""

from __future__ import annotations

from runtime.engine.asl.limits import STATE_NAME_MAX

NODES = "$.state.nodes"


def record(node: str) -> str:
    """Where a node's ``NodeRecord`` sits in the state."""
    return f"{NODES}{_key(node)}"


def fired(node: str, port: str) -> str:
    """Present exactly when the node fired ``port``."""
    return f"{NODES}{_key(node)}.out.{port}"


def field(node: str, name: str) -> str:
    return f"{NODES}{_key(node)}.{name}"


def _key(node: str) -> str:
    return f"['{node}']" if "-" in node else f".{node}"


def state_name(prefix: str, node: str, role: str = "") -> str:
    name = f"{prefix}{node}: {role}" if role else f"{prefix}{node}"
    if len(name) > STATE_NAME_MAX:  # only ids near the 64-character limit, in a Distributed Map
        raise ValueError(f"state name {name!r} is longer than {STATE_NAME_MAX} characters")
    return name
