import pytest

from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node

FIELDS = [
    {"name": "lead.email", "type": "string", "required": True, "classes": ["PII"]},
    {"name": "lead.score", "type": "number"},
]


async def test_normalizes_the_request_and_lowercases_header_names() -> None:
    event = {
        "method": "post",
        "path": "/hooks/leads",
        "headers": {"Content-Type": "application/json", "X-Request-Id": "r1"},
        "query": {"source": "ads"},
        "body": {"lead": {"email": "ada@example.com", "score": 7}},
    }
    out = await run_node("trigger.webhook", {"fields": FIELDS}, scope={"trigger": event})
    assert out == {
        "out": {
            "method": "POST",
            "path": "/hooks/leads",
            "headers": {"content-type": "application/json", "x-request-id": "r1"},
            "query": {"source": "ads"},
            "body": {"lead": {"email": "ada@example.com", "score": 7}},
        }
    }


async def test_missing_event_keys_get_defaults() -> None:
    out = await run_node("trigger.webhook", {}, scope={"trigger": {}})
    assert out == {"out": {"method": "POST", "path": "/", "headers": {}, "query": {}, "body": {}}}


async def test_credential_headers_are_not_passed_on() -> None:
    event = {"headers": {"Authorization": "Bearer s3cret", "X-API-Key": "k", "Accept": "*/*"}}
    out = await run_node("trigger.webhook", {}, scope={"trigger": event})
    assert out["out"]["headers"] == {"accept": "*/*"}


async def test_refuses_a_method_not_in_methods() -> None:
    with pytest.raises(NodeRunError, match=r"method GET is not allowed \(methods: POST, PUT\)"):
        await run_node(
            "trigger.webhook", {"methods": ["POST", "PUT"]}, scope={"trigger": {"method": "GET"}}
        )


async def test_get_is_accepted_when_listed() -> None:
    out = await run_node(
        "trigger.webhook",
        {"methods": ["GET"]},
        scope={"trigger": {"method": "GET", "query": {"q": "x"}, "body": None}},
    )
    assert out["out"]["method"] == "GET"
    assert out["out"]["body"] == {}


async def test_required_field_missing_names_the_field() -> None:
    with pytest.raises(NodeRunError, match=r"body field 'lead\.email' is required"):
        await run_node(
            "trigger.webhook", {"fields": FIELDS}, scope={"trigger": {"body": {"lead": {}}}}
        )


async def test_required_field_null_counts_as_missing() -> None:
    with pytest.raises(NodeRunError, match=r"'lead\.email' is required"):
        await run_node(
            "trigger.webhook",
            {"fields": FIELDS},
            scope={"trigger": {"body": {"lead": {"email": None}}}},
        )


async def test_wrong_type_names_field_and_types() -> None:
    body = {"lead": {"email": "a@b.c", "score": "high"}}
    with pytest.raises(NodeRunError, match=r"'lead\.score' must be number, got string"):
        await run_node("trigger.webhook", {"fields": FIELDS}, scope={"trigger": {"body": body}})


async def test_boolean_is_not_a_number() -> None:
    body = {"lead": {"email": "a@b.c", "score": True}}
    with pytest.raises(NodeRunError, match="must be number, got boolean"):
        await run_node("trigger.webhook", {"fields": FIELDS}, scope={"trigger": {"body": body}})


async def test_optional_field_may_be_absent() -> None:
    body = {"lead": {"email": "a@b.c"}}
    out = await run_node("trigger.webhook", {"fields": FIELDS}, scope={"trigger": {"body": body}})
    assert out["out"]["body"] == body


async def test_declared_fields_need_an_object_body() -> None:
    with pytest.raises(NodeRunError, match="body must be a JSON object, got list"):
        await run_node("trigger.webhook", {"fields": FIELDS}, scope={"trigger": {"body": [1]}})


async def test_body_larger_than_max_body_bytes_is_refused() -> None:
    event = {"body": {"text": "x" * 200}}
    with pytest.raises(NodeRunError, match=r"more than max_body_bytes \(100\)"):
        await run_node("trigger.webhook", {"max_body_bytes": 100}, scope={"trigger": event})


async def test_headers_must_be_an_object() -> None:
    with pytest.raises(NodeRunError, match="request headers must be an object"):
        await run_node("trigger.webhook", {}, scope={"trigger": {"headers": ["a"]}})


async def test_config_rejects_unknown_method_and_bad_field_path() -> None:
    with pytest.raises(ValueError, match="methods"):
        await run_node("trigger.webhook", {"methods": ["TRACE"]})
    with pytest.raises(ValueError, match="name"):
        await run_node("trigger.webhook", {"fields": [{"name": "a..b"}]})
