"""Form specs from the real node types' schemas: every field gets a widget the form can draw."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from pydantic import BaseModel, Field

from builder.inspector import field_specs as schema_form
from builder.inspector.field_specs import FieldKind, FieldSpec, config_spec, form_spec, walk
from nodes.base import Secret
from nodes.registry import AnyNodeType, default_registry
from tests.builder.secret_probe import SecretProbe

TYPES = default_registry().latest()


def _field(node_type: str, *path: str) -> FieldSpec:
    cls = default_registry().get(node_type)
    assert cls is not None
    spec: FieldSpec | None = config_spec(cls)
    for key in path:
        assert spec is not None
        spec = spec.field(key) if spec.kind == "object" else spec.item
    assert spec is not None
    return spec


@pytest.mark.parametrize("node_type", TYPES, ids=lambda t: t.type)
def test_every_config_field_of_every_node_type_has_a_widget(node_type: AnyNodeType) -> None:
    spec = config_spec(node_type)
    assert spec.kind == "object"
    # Every top-level field of the Config appears, in declaration order, under its key.
    assert [f.key for f in spec.fields] == list(node_type.Config.model_fields)
    for field in walk(spec):
        assert field.kind in get_args(FieldKind)
        if field.kind in ("list", "map"):
            assert field.item is not None
        if field.kind in ("enum", "multiselect"):
            assert field.options
        if field is not spec:
            assert field.title, field
    # The JSON the browser gets is plain data with camelCase keys.
    js = spec.to_js()
    assert js["kind"] == "object"
    assert all("_" not in key for f in js.get("fields", []) for key in f)


def test_the_registered_types_cover_every_field_kind_but_secret() -> None:
    kinds = {f.kind for t in TYPES for f in walk(config_spec(t))}
    assert kinds == set(get_args(FieldKind)) - {"secret"}
    assert "secret" in {f.kind for f in walk(config_spec(SecretProbe))}


def test_http_request_fields() -> None:
    method = _field("http.request", "method")
    assert method.kind == "enum"
    assert [o.value for o in method.options][:2] == ["GET", "POST"]
    assert (method.has_default, method.default) == (True, "GET")
    url = _field("http.request", "url")
    assert (url.kind, url.expression, url.required, url.title) == ("text", "template", True, "URL")
    retries = _field("http.request", "retries")
    assert (retries.kind, retries.minimum, retries.maximum, retries.default) == ("integer", 0, 5, 0)
    timeout = _field("http.request", "timeout_seconds")
    assert (timeout.kind, timeout.nullable) == ("number", True)
    assert (timeout.exclusive_minimum, timeout.maximum) == (0, 300)
    headers = _field("http.request", "headers")
    assert headers.kind == "map"
    assert headers.item is not None
    assert (headers.item.kind, headers.item.expression) == ("text", "template")
    assert _field("http.request", "body").kind == "value"
    flag = _field("http.request", "fail_on_status")
    assert (flag.kind, flag.default, flag.title) == ("boolean", True, "Fail on status")


def test_unions_nested_models_and_enums_of_numbers() -> None:
    seconds = _field("logic.delay", "seconds")
    assert (seconds.kind, seconds.allow_text, seconds.expression) == ("number", True, "template")
    assert (seconds.minimum, seconds.maximum) == (0, 365 * 86400)  # a durable delay: a year
    cases = _field("logic.switch", "cases")
    assert (cases.kind, cases.min_items, cases.max_items) == ("list", 1, 32)
    condition = _field("logic.switch", "cases", "", "condition")
    assert (condition.kind, condition.nullable, condition.title) == ("object", True, "Condition")
    conditions = condition.field("conditions")
    assert conditions is not None
    assert conditions.item is not None
    assert conditions.item.field("left") is not None
    # Setting the condition from "not set" starts with the one condition it must have.
    assert condition.blank == {"conditions": [{"left": ""}]}
    assert _field("logic.switch", "cases").item.blank == {"key": ""}  # type: ignore[union-attr]
    indent = _field("transform.json_format", "indent")
    assert [o.value for o in indent.options] == [0, 2, 4]
    assert [o.label for o in indent.options] == ["0", "2", "4"]
    methods = _field("trigger.webhook", "methods")
    assert (methods.kind, methods.min_items) == ("multiselect", 1)
    classes = _field("trigger.webhook", "fields", "", "classes")
    assert classes.kind == "multiselect"
    assert "PII" in [o.value for o in classes.options]
    assert _field("trigger.manual", "sample").kind == "json"
    assert _field("transform.pick", "query").expression == "query"
    assert _field("transform.template", "template").kind == "textarea"
    key = _field("logic.merge", "key")
    assert (key.kind, key.nullable, key.min_length) == ("text", True, 1)


def test_secrets_are_marked_secret_wherever_they_are() -> None:
    spec = config_spec(SecretProbe)
    api_key = spec.field("api_key")
    assert api_key is not None
    assert (api_key.kind, api_key.required) == ("secret", True)
    extra = spec.field("extra")
    assert extra is not None
    assert extra.item is not None
    token = extra.item.field("token")
    assert token is not None
    assert token.kind == "secret"


class _Tree(BaseModel):
    name: str = ""
    children: list[_Tree] = Field(default_factory=list)


class _WithTree(BaseModel):
    root: _Tree
    password: Secret
    notes: str = ""


def test_recursive_schemas_stop_at_a_json_editor() -> None:
    spec = form_spec(_WithTree.model_json_schema())
    depths = [f.kind for f in walk(spec)]
    assert "json" in depths
    assert len(depths) < 200


def test_multiline_and_humanized_titles() -> None:
    spec = form_spec(_WithTree.model_json_schema())
    notes = spec.field("notes")
    assert notes is not None
    assert notes.kind == "textarea"
    assert schema_form.humanize("max_body_bytes") == "Max body bytes"
    assert schema_form.humanize("api_url") == "API URL"


def test_node_section_has_the_label_then_the_settings() -> None:
    spec = schema_form.node_fields_spec()
    assert [f.key for f in spec.fields] == [
        "label",
        "disabled",
        "timeout_seconds",
        "retry",
        "notes",
    ]
    label = spec.field("label")
    assert label is not None
    assert label.max_length == 200
    retry = spec.field("retry")
    assert retry is not None
    assert retry.kind == "object"
    attempts = retry.field("max_attempts")
    assert attempts is not None
    assert (attempts.kind, attempts.minimum, attempts.maximum) == ("integer", 1, 10)


def test_blank_values() -> None:
    def blank(spec: dict[str, Any]) -> Any:
        return form_spec({"type": "object", "properties": {"x": spec}}).fields[0].blank

    assert blank({"type": "integer", "minimum": 3}) == 3
    assert blank({"type": "string"}) == ""
    assert blank({"type": "boolean"}) is False
    assert blank({"enum": ["a", "b"]}) == "a"
    assert blank({"type": "array", "items": {"type": "string"}, "minItems": 2}) == ["", ""]
    assert blank({"type": "string", "default": "d"}) == "d"
