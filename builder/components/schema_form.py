"""The inspector's schema-driven form as a Reflex component.

Reflex compiles components statically, so a form whose shape depends on the selected node's
schema (recursively: lists of objects holding lists) is a React component written in JSX
(``js/schema_fields.jsx`` + ``js/schema_form.jsx``), added as page custom code like the canvas.
It receives a field spec from ``builder.inspector.field_specs`` (never raw JSON Schema), the
value, the placed errors and the expression references, and calls ``on_form_change`` with
``{nodeId, value, drafts}`` (the whole new value, and the JSON text that does not parse yet).

Why not ``@rjsf/core``: it validates in the browser (ajv) while validation here must be the
node type's own pydantic model on the server; its errors, secret handling and expression
widgets would all be custom anyway; and it would add a dependency tree to the bundle. These
widgets are Radix Themes', which the page already loads, so the form looks like the rest of
the app.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import reflex as rx
from reflex.utils.imports import ImportDict, ImportVar
from reflex_components_lucide.icon import LUCIDE_LIBRARY, Icon
from reflex_components_radix.plugin import RADIX_THEMES_PACKAGE

JS_DIR = Path(__file__).with_name("js")
JSX_FILES = ("schema_fields.jsx", "schema_form.jsx")
FORM_ICONS = (
    "braces",
    "chevron-down",
    "chevron-right",
    "chevron-up",
    "key-round",
    "plus",
    "rotate-ccw",
    "trash-2",
    "x",
)


def _change_spec(change: rx.Var[dict[str, Any]]) -> tuple[rx.Var[dict[str, Any]]]:
    """``{nodeId, value}``: the node the edit was made on, and its whole new value."""
    return (change,)


@cache
def _icon_imports() -> tuple[tuple[ImportVar, ...], str]:
    """The form's Lucide icons, resolved through Reflex's ``Icon`` like the canvas's are."""
    imports: list[ImportVar] = []
    entries: list[str] = []
    for name in FORM_ICONS:
        icon = Icon.create(name)
        imports.append(icon.import_var)
        entries.append(f"{json.dumps(name)}: {icon.alias}")
    return tuple(imports), "const AUTERITY_FORM_ICONS = {" + ", ".join(entries) + "};"


class SchemaForm(rx.Component):
    """A form for one node's config (or its label and settings); see the module doc."""

    library = None
    tag = "AuteritySchemaForm"

    spec: rx.Var[dict[str, Any]]
    value: rx.Var[dict[str, Any]]
    errors: rx.Var[dict[str, Any]]
    references: rx.Var[list[dict[str, Any]]]
    drafts: rx.Var[dict[str, Any]]
    """JSON fields whose text does not parse yet, by path (``builder.inspector.json_drafts``)."""
    form_key: rx.Var[str]
    """The node id: switching nodes flushes the pending edit to the previous node."""
    empty_text: rx.Var[str]

    on_form_change: rx.EventHandler[_change_spec]  # type: ignore[type-arg,valid-type]

    def add_imports(self) -> list[ImportDict]:
        icons, _ = _icon_imports()
        radix: list[str | ImportVar] = [
            "Button",
            "Checkbox",
            "IconButton",
            "SegmentedControl",
            "Select",
            "Switch",
            "TextArea",
            "TextField",
        ]
        hooks: list[str | ImportVar] = ["useCallback", "useEffect", "useRef", "useState"]
        return [
            {"react": hooks, RADIX_THEMES_PACKAGE: radix},
            {LUCIDE_LIBRARY: list(icons)},
        ]

    def add_custom_code(self) -> list[str]:
        _, mapping = _icon_imports()
        return [mapping, *((JS_DIR / name).read_text(encoding="utf-8") for name in JSX_FILES)]


schema_form = SchemaForm.create
