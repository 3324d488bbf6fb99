"""The Inbox's form values and rows: what the approver typed becomes the JSON the service checks."""

from __future__ import annotations

from builder.views import inbox_view, present
from runtime.store import RunRecord, Wait

FIELDS = inbox_view.field_rows(
    {
        "fields": [
            {"name": "note", "type": "text", "required": True},
            {"name": "amount", "label": "Amount", "type": "number"},
            {"name": "urgent", "type": "boolean"},
            {"name": "tier", "type": "choice", "options": ["gold", "silver"]},
            {"name": "odd", "type": "colour"},
            {"label": "no name"},
        ]
    }
)


def test_fields_get_a_label_a_known_type_and_string_options() -> None:
    assert [(f["name"], f["label"], f["type"]) for f in FIELDS] == [
        ("note", "note", "text"),
        ("amount", "Amount", "number"),
        ("urgent", "urgent", "boolean"),
        ("tier", "tier", "choice"),
        ("odd", "odd", "text"),
    ]
    assert FIELDS[3]["options"] == ["gold", "silver"]


def test_typed_text_becomes_json_and_the_service_judges_the_rest() -> None:
    typed = {"note": "ok", "amount": "12", "urgent": "true", "tier": "gold", "odd": ""}
    assert inbox_view.form_values(FIELDS, typed) == {
        "note": "ok",
        "amount": 12,
        "urgent": True,
        "tier": "gold",
    }
    assert inbox_view.form_values(FIELDS, {"amount": "1.5"})["amount"] == 1.5
    # a bad number and an empty required field go as typed: the service's 422 names them
    assert inbox_view.form_values(FIELDS, {"amount": "lots"}) == {
        "note": "",
        "amount": "lots",
        "urgent": False,
    }


def test_an_inbox_row_shows_the_request_body_and_who_decides() -> None:
    wait = Wait(
        run_id="r1",
        graph_id="g",
        version=2,
        node="review",
        node_type="flow.approval",
        iteration=[0, 3],
        kind="approval",
        title="",
        details={"assignee": "user:ann@example.com"},
        input={"method": "POST", "headers": {"x": "y"}, "body": {"customer": "Ada"}},
        created_at="2026-12-07T10:00:00Z",
        until="2026-12-07T11:00:00Z",
        expires_at=0,
    )
    row = inbox_view.inbox_row(wait, False, {"g": "Discounts"})
    assert row["key"] == "r1/review/0.3"
    assert row["iteration"] == "[0, 3]"
    assert (row["graph"], row["assignee"], row["title"]) == (
        "Discounts",
        "ann@example.com",
        "review in run r1",
    )
    assert row["input"] == '{"customer": "Ada"}'
    assert (row["asked"], row["deadline"]) == ("2026-12-07 10:00 UTC", "2026-12-07 11:00 UTC")
    assert inbox_view.compact("x" * 500).endswith("…")


def test_run_rows_offer_cancel_and_redrive_only_where_the_service_allows_them() -> None:
    def row(status: str, parent: str | None = None) -> dict[str, str]:
        record = RunRecord.model_validate(
            {
                "run_id": "r",
                "graph_id": "g",
                "version": 1,
                "trigger": "http",
                "status": status,
                "started_at": "2026-12-07T10:00:00Z",
                "expires_at": 0,
                "parent_run_id": parent,
            }
        )
        return present.run_row(record, {})

    assert (row("waiting")["color"], row("waiting")["can_cancel"]) == ("amber", "yes")
    assert row("running")["can_cancel"] == "yes"
    assert (row("failed")["can_redrive"], row("failed")["can_cancel"]) == ("yes", "")
    assert row("timed_out")["can_redrive"] == "yes"
    assert (row("cancelled")["can_cancel"], row("cancelled")["can_redrive"]) == ("", "")
    assert row("succeeded", "p1")["parent"] == "p1"
