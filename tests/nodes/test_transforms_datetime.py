from datetime import UTC, datetime

import pytest

from nodes.transforms.date_time import DateTime, DateTimeConfig
from runtime.core.errors import NodeRunError
from tests.nodes.helpers import run_node


async def dt(config: dict[str, object], value: object = None) -> object:
    return (await run_node("transform.datetime", config, {"in": value}))["out"]


async def test_now_is_iso_in_the_zone() -> None:
    out = await dt({"operation": "now", "timezone": "Asia/Tokyo"})
    assert isinstance(out, str)
    assert out.endswith("+09:00")
    assert abs((datetime.fromisoformat(out) - datetime.now(UTC)).total_seconds()) < 60


async def test_parse_iso_with_z_and_naive_in_zone() -> None:
    assert await dt({"operation": "parse"}, "2024-05-01T10:00:00Z") == "2024-05-01T10:00:00+00:00"
    assert (
        await dt({"operation": "parse", "timezone": "Europe/Berlin"}, "2024-05-01 10:00")
        == "2024-05-01T10:00:00+02:00"
    )
    assert await dt({"operation": "parse"}, "2024-05-01") == "2024-05-01T00:00:00+00:00"


async def test_parse_with_a_strptime_format() -> None:
    out = await dt(
        {"operation": "parse", "format": "%d/%m/%Y %H:%M", "timezone": "America/New_York"},
        "31/12/2024 23:30",
    )
    assert out == "2024-12-31T23:30:00-05:00"


async def test_parse_unix_seconds() -> None:
    assert await dt({"operation": "parse"}, 0) == "1970-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("value", "config", "message"),
    [
        ("yesterday", {}, "value: cannot parse 'yesterday' as ISO-8601"),
        ("2024-13-01", {}, "as ISO-8601"),
        ("1/2/2024", {"format": "%Y-%m-%d"}, "with format '%Y-%m-%d'"),
        (None, {}, "value: expected a date-time string or Unix seconds, got null"),
        (True, {}, "got bool"),
        (1e300, {}, "as Unix seconds"),
    ],
)
async def test_unparseable_values_name_the_field(
    value: object, config: dict[str, object], message: str
) -> None:
    with pytest.raises(NodeRunError, match=message):
        await dt({"operation": "parse", **config}, value)


async def test_format_in_a_zone() -> None:
    out = await dt(
        {"operation": "format", "format": "%Y-%m-%d %H:%M %Z", "timezone": "Europe/Berlin"},
        "2024-07-01T08:00:00Z",
    )
    assert out == "2024-07-01 10:00 CEST"


async def test_format_text_is_not_python_format() -> None:
    out = await dt({"operation": "format", "format": "{0.__class__} %Y"}, "2024-01-01T00:00:00Z")
    assert out == "{0.__class__} 2024"


async def test_format_requires_a_format() -> None:
    with pytest.raises(NodeRunError, match="format: required for the 'format' operation"):
        await dt({"operation": "format"}, "2024-01-01")


async def test_add_hours_is_elapsed_time_across_dst() -> None:
    # 01:30 CET + 1h on the spring-forward night is 03:30 CEST (02:xx does not exist).
    out = await dt(
        {"operation": "add", "amount": 1, "unit": "hours", "timezone": "Europe/Berlin"},
        "2024-03-31T01:30:00",
    )
    assert out == "2024-03-31T03:30:00+02:00"


async def test_add_days_keeps_wall_clock_across_dst() -> None:
    out = await dt(
        {"operation": "add", "amount": 1, "unit": "days", "timezone": "Europe/Berlin"},
        "2024-03-30T09:00:00",
    )
    assert out == "2024-03-31T09:00:00+02:00"


async def test_add_days_into_a_skipped_hour_moves_forward() -> None:
    out = await dt(
        {"operation": "add", "amount": 1, "unit": "days", "timezone": "Europe/Berlin"},
        "2024-03-30T02:30:00",
    )
    assert out == "2024-03-31T03:30:00+02:00"


async def test_subtract_with_an_expression_amount_and_own_offset() -> None:
    out = await run_node(
        "transform.datetime",
        {
            "operation": "subtract",
            "value": "{{ input.at }}",
            "amount": "{{ input.n }}",
            "unit": "weeks",
        },
        {"in": {"at": "2024-01-15T12:00:00+05:30", "n": 2}},
    )
    assert out == {"out": "2024-01-01T12:00:00+05:30"}


@pytest.mark.parametrize("amount", ["lots", True, None, "nan"])
async def test_amount_must_be_a_finite_number(amount: object) -> None:
    with pytest.raises(NodeRunError, match="amount must be a finite number"):
        await dt({"operation": "add", "amount": amount}, "2024-01-01")


async def test_shift_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(NodeRunError, match="add: result is outside the supported date range"):
        await dt({"operation": "add", "amount": 10_000, "unit": "weeks"}, "9999-01-01")


async def test_difference_in_seconds_uses_elapsed_time() -> None:
    # The spring-forward day in Berlin is 23 hours long.
    out = await run_node(
        "transform.datetime",
        {
            "operation": "difference",
            "value": "{{ input.end }}",
            "other": "{{ input.start }}",
            "timezone": "Europe/Berlin",
        },
        {"in": {"start": "2024-03-31T00:00:00", "end": "2024-04-01T00:00:00"}},
    )
    assert out == {"out": 82800}


async def test_difference_is_negative_when_value_is_earlier_and_may_be_fractional() -> None:
    out = await run_node(
        "transform.datetime",
        {"operation": "difference", "value": "{{ input.a }}", "other": "{{ input.b }}"},
        {"in": {"a": "2024-01-01T00:00:00Z", "b": "2024-01-01T00:00:01.5+00:00"}},
    )
    assert out == {"out": -1.5}


async def test_difference_requires_other_and_names_it_when_bad() -> None:
    with pytest.raises(NodeRunError, match="other: required"):
        await dt({"operation": "difference"}, "2024-01-01")
    with pytest.raises(NodeRunError, match="other: cannot parse 'soon'"):
        await dt({"operation": "difference", "other": "soon"}, "2024-01-01")


async def test_convert_between_zones_follows_dst() -> None:
    winter = await dt(
        {"operation": "convert", "to_timezone": "America/New_York"}, "2024-01-15T12:00:00Z"
    )
    summer = await dt(
        {"operation": "convert", "to_timezone": "America/New_York"}, "2024-07-15T12:00:00Z"
    )
    assert winter == "2024-01-15T07:00:00-05:00"
    assert summer == "2024-07-15T08:00:00-04:00"


async def test_convert_reads_naive_input_in_timezone() -> None:
    out = await dt(
        {"operation": "convert", "timezone": "Europe/London", "to_timezone": "Asia/Kolkata"},
        "2024-06-01T12:00:00",
    )
    assert out == "2024-06-01T16:30:00+05:30"


async def test_unknown_timezones_are_errors_naming_the_field() -> None:
    with pytest.raises(NodeRunError, match="to_timezone: unknown time zone 'Moon/Base'"):
        await dt({"operation": "convert", "to_timezone": "Moon/Base"}, "2024-01-01")
    with pytest.raises(NodeRunError, match=r"timezone: unknown time zone '\.\./\.\./etc/passwd'"):
        await dt({"operation": "now", "timezone": "../../etc/passwd"})


def test_check_reports_problems_by_field() -> None:
    config = DateTimeConfig.model_validate({"operation": "convert", "timezone": "Nowhere/Land"})
    assert DateTime.check(config) == [
        ("timezone", "unknown time zone 'Nowhere/Land'"),
        ("to_timezone", "required for the 'convert' operation"),
    ]
    assert DateTime.check(DateTimeConfig.model_validate(DateTime.example)) == []
