"""Per-node checks: the type exists, the config fits its model, expressions parse.

Kept apart from the graph-shape checks in ``runtime.engine.validate`` because the builder's
inspector needs exactly this for one node at a time, on every keystroke.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from nodes.base import NodeConfig, expression_fields
from nodes.expression_schema import plain_fields_with_expressions
from nodes.registry import AnyNodeType, Registry
from runtime.core import expr
from runtime.core.diagnostics import Diagnostic, error
from runtime.core.errors import ExpressionError
from runtime.core.graph import Node
from runtime.core.load import format_location
from runtime.core.types import ERROR_PORT_SPEC, Port

MAX_CONFIG_DEPTH = 32


@dataclass(slots=True)
class ResolvedNode:
    node: Node
    node_type: AnyNodeType | None
    config: NodeConfig | None
    inputs: dict[str, Port]
    outputs: dict[str, Port]
    body_inputs: dict[str, Port]
    body_outputs: dict[str, Port]

    @property
    def ok(self) -> bool:
        return self.node_type is not None and self.config is not None


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(current, dict):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
    return False


def _ports(ports: tuple[Port, ...]) -> dict[str, Port]:
    return {p.name: p for p in ports}


def _unknown_type(node: Node, registry: Registry) -> Diagnostic:
    names = [t.type for t in registry.latest()]
    close = difflib.get_close_matches(node.type, names, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "run `auterity nodes` for the list"
    return error(
        "node.unknown_type",
        f"unknown node type {node.type!r}",
        node=node.id,
        path="type",
        hint=hint,
    )


def _config_diagnostics(node: Node, exc: ValidationError) -> list[Diagnostic]:
    out = []
    for item in exc.errors()[:20]:
        path = format_location(tuple(item["loc"])) or "config"
        out.append(
            error(
                "config.invalid",
                f"{path}: {item['msg']}",
                node=node.id,
                path=f"config.{path}" if path != "config" else path,
            )
        )
    return out


def _under(path: str, parents: list[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in parents)


def _expression_diagnostics(node: Node, node_type: AnyNodeType) -> list[Diagnostic]:
    plain = plain_fields_with_expressions(node_type.Config, node.config)
    out = [
        error(
            "expression.not_allowed",
            f"{path} is used as written: it does not take {{{{ expressions }}}}",
            node=node.id,
            path=f"config.{path}",
            hint="write the value itself; only fields marked as expressions are rendered",
        )
        for path in plain
    ]
    out += [
        error(
            "expression.syntax",
            message,
            node=node.id,
            path=f"config.{path}" if path else "config",
            hint="expressions are JMESPath inside {{ }}, e.g. {{ input.lead.email }}",
        )
        for path, message in expr.check_value(node.config)
        if not _under(path, plain)
    ]
    for field, kind in expression_fields(node_type.Config).items():
        value = node.config.get(field)
        if kind == "query" and isinstance(value, str):
            try:
                expr.compile_expression(value)
            except ExpressionError as exc:
                out.append(
                    error("expression.syntax", exc.message, node=node.id, path=f"config.{field}")
                )
    return out


def resolve_node(node: Node, registry: Registry) -> tuple[ResolvedNode, list[Diagnostic]]:
    """Resolve a node's type and parse its config, collecting diagnostics instead of raising."""
    diagnostics: list[Diagnostic] = []
    resolved = ResolvedNode(node, None, None, {}, {}, {}, {})
    node_type = registry.get(node.type, node.version)
    if node_type is None:
        if registry.get(node.type) is None:
            diagnostics.append(_unknown_type(node, registry))
        else:
            versions = ", ".join(str(v) for v in registry.versions(node.type))
            diagnostics.append(
                error(
                    "node.unknown_version",
                    f"{node.type} has no version {node.version} (available: {versions})",
                    node=node.id,
                    path="version",
                )
            )
        return resolved, diagnostics
    resolved.node_type = node_type
    resolved.inputs = _ports(node_type.inputs)
    resolved.outputs = _ports(
        node_type.outputs if node_type.trigger else (*node_type.outputs, ERROR_PORT_SPEC)
    )
    resolved.body_inputs = _ports(node_type.body_inputs)
    resolved.body_outputs = _ports(node_type.body_outputs)
    if _depth_exceeds(node.config, MAX_CONFIG_DEPTH):
        diagnostics.append(
            error(
                "config.too_deep",
                f"config is nested more than {MAX_CONFIG_DEPTH} levels deep",
                node=node.id,
                path="config",
            )
        )
        return resolved, diagnostics
    try:
        config = node_type.Config.model_validate(node.config)
    except ValidationError as exc:
        diagnostics += _config_diagnostics(node, exc)
    else:
        resolved.config = config
        resolved.inputs = _ports(node_type.input_ports(config))
        resolved.outputs = _ports(node_type.output_ports(config))
        for path, message in node_type.check(config):
            diagnostics.append(
                error("config.invalid", f"{path}: {message}", node=node.id, path=f"config.{path}")
            )
    diagnostics += _expression_diagnostics(node, node_type)
    return resolved, diagnostics
