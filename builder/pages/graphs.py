"""The graphs page.

The tenant's graphs with their version and deployment, and the actions
on them (new, import, open example, rename, duplicate, export, delete).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder.components.shell import empty_state, page_body, shell
from builder.state.graphs import GraphsState
from builder.state.session import SessionState

IMPORT_ID = "import-graph"


def _import_button() -> rx.Component:
    return rx.upload.root(
        rx.button(
            rx.icon("upload", size=14),
            "Import",
            variant="soft",
            type="button",
            custom_attrs={"data-testid": "import-graph"},
        ),
        id=IMPORT_ID,
        accept={"application/json": [".json"]},
        max_files=1,
        multiple=False,
        no_drag=True,
        on_drop=GraphsState.import_files,
        border="none",
        padding="0",
    )


def _examples_select(label: str = "Open an example") -> rx.Component:
    return rx.select(
        GraphsState.examples,
        placeholder=label,
        value="",
        on_change=GraphsState.open_example,
        custom_attrs={"data-testid": "graphs-example"},
    )


def _new_button(label: str = "New graph") -> rx.Component:
    return rx.button(
        rx.icon("plus", size=14),
        label,
        on_click=GraphsState.set_create_open(True),  # type: ignore[operator]
        custom_attrs={"data-testid": "new-graph"},
    )


def _actions(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                aria_label="Actions for " + row["name"],
                custom_attrs={"data-testid": "graph-menu-" + row["id"]},
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item("Rename", on_click=GraphsState.start_rename(row["id"])),  # type: ignore[operator]
            rx.dropdown_menu.item("Duplicate", on_click=GraphsState.duplicate(row["id"])),  # type: ignore[operator]
            rx.dropdown_menu.item("Export", on_click=GraphsState.export(row["id"])),  # type: ignore[operator]
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                "Delete",
                color_scheme="red",
                on_click=GraphsState.start_delete(row["id"]),  # type: ignore[operator]
            ),
        ),
    )


def _row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row["name"], href=row["href"], weight="medium"),
            rx.text(row["id"], size="1", color_scheme="gray", font_family="monospace"),
        ),
        rx.table.cell(rx.badge("v" + row["version"], variant="outline")),
        rx.table.cell(
            rx.text(row["updated"], size="2"),
            rx.text(row["by"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(
            rx.cond(
                row["deployed"] != "",
                rx.badge(rx.icon("rocket", size=12), row["deployed"], color_scheme="green"),
                rx.text("—", color_scheme="gray"),
            )
        ),
        rx.table.cell(_actions(row), text_align="right"),
        custom_attrs={"data-testid": "graph-row-" + row["id"]},
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Name"),
                rx.table.column_header_cell("Version"),
                rx.table.column_header_cell("Updated"),
                rx.table.column_header_cell("Deployed"),
                rx.table.column_header_cell("", aria_label="Actions"),
            )
        ),
        rx.table.body(rx.foreach(GraphsState.rows, _row)),
        width="100%",
        variant="surface",
        custom_attrs={"data-testid": "graphs-table"},
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New graph"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        placeholder="Name, e.g. Lead scoring",
                        default_value="Untitled graph",
                        auto_focus=True,
                        max_length=200,
                        width="100%",
                        custom_attrs={"data-testid": "new-graph-name"},
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            "Create",
                            type="submit",
                            custom_attrs={"data-testid": "new-graph-create"},
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=GraphsState.create,
            ),
            max_width="440px",
        ),
        open=GraphsState.create_open,
        on_open_change=GraphsState.set_create_open,
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename graph"),
            rx.dialog.description(
                "Renaming saves a new version; the graph's id and endpoints stay the same.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        default_value=GraphsState.rename_name,
                        auto_focus=True,
                        max_length=200,
                        width="100%",
                        custom_attrs={"data-testid": "rename-name"},
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            "Rename", type="submit", custom_attrs={"data-testid": "rename-confirm"}
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=GraphsState.rename,
            ),
            max_width="440px",
        ),
        open=GraphsState.rename_id != "",
        on_open_change=GraphsState.cancel_rename,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + GraphsState.delete_name + "?"),
            rx.alert_dialog.description(
                "Every version of this graph is deleted. This cannot be undone.",
                rx.cond(
                    GraphsState.delete_slugs != "",
                    rx.text(
                        "It is deployed (" + GraphsState.delete_slugs + "): undeploy it first.",
                        color_scheme="red",
                    ),
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=GraphsState.delete,
                        custom_attrs={"data-testid": "delete-confirm"},
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="460px",
        ),
        open=GraphsState.delete_id != "",
        on_open_change=GraphsState.cancel_delete,
    )


def graphs_page() -> rx.Component:
    toolbar = rx.hstack(
        rx.text(
            "Workflows of ",
            rx.text.strong(SessionState.tenant_name),
            ". Open one to edit it, or start a new one.",
            size="2",
            color_scheme="gray",
        ),
        rx.spacer(),
        _examples_select(),
        _import_button(),
        _new_button(),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )
    empty = empty_state(
        "workflow",
        "Create your first graph",
        "A graph is a workflow: a trigger, the steps, and a response. Start from an empty "
        "canvas, import a *.graph.json file, or open a working example.",
        _new_button("Create your first graph"),
        _examples_select("Open an example"),
    )
    content = page_body(
        toolbar,
        rx.cond(
            GraphsState.error != "",
            rx.callout(GraphsState.error, icon="circle-alert", color_scheme="red", width="100%"),
        ),
        rx.cond(
            GraphsState.loaded,
            rx.cond(GraphsState.rows.length() > 0, _table(), empty),
            rx.center(rx.spinner(), width="100%", padding="32px"),
        ),
        _create_dialog(),
        _rename_dialog(),
        _delete_dialog(),
    )
    return shell(content, active="graphs", title="Graphs")
