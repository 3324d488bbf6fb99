"""Reading ``*.graph.json`` documents: size limits, JSON errors with positions, migrations.

Every failure is a ``GraphLoadError`` with one line a user can act on; nothing here lets a
malformed, hostile or enormous file crash the caller or run unbounded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from runtime.core.errors import GraphLoadError
from runtime.core.graph import Graph
from runtime.core.migrations import migrate

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(data: str | bytes, *, source: str = "") -> Any:
    if isinstance(data, bytes):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise GraphLoadError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes", path=source)
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise GraphLoadError(f"not UTF-8 text (byte {exc.start})", path=source) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise GraphLoadError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes", path=source)
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise GraphLoadError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", path=source
        ) from None
    except RecursionError:
        raise GraphLoadError("JSON is nested too deeply", path=source) from None
    except ValueError as exc:  # e.g. an integer literal longer than Python will convert
        raise GraphLoadError(f"invalid JSON: {exc}"[:300], path=source) from None


def format_location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def graph_from_document(doc: Any, *, source: str = "") -> Graph:
    if not isinstance(doc, dict):
        raise GraphLoadError("a graph document must be a JSON object", path=source)
    try:
        doc = migrate(doc)
    except GraphLoadError as exc:
        raise GraphLoadError(exc.message, path=source) from None
    try:
        return Graph.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = format_location(tuple(first["loc"]))
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise GraphLoadError(f"{where}: {first['msg']}{more}", path=source) from None
    except RecursionError:
        raise GraphLoadError("graph is nested too deeply", path=source) from None


def load_graph(data: str | bytes, *, source: str = "") -> Graph:
    return graph_from_document(parse_json(data, source=source), source=source)


def load_graph_file(path: str | Path) -> Graph:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise GraphLoadError(f"file is larger than {MAX_DOCUMENT_BYTES} bytes", path=str(p))
        data = p.read_bytes()
    except OSError as exc:
        raise GraphLoadError(exc.strerror or "cannot read file", path=str(p)) from None
    return load_graph(data, source=str(p))
