"""Dates and times: parse, format, shift, compare and convert between time zones.

Results are ISO-8601 strings (``difference`` gives seconds) so they stay plain JSON. Shifts in
seconds/minutes/hours are elapsed time; days/weeks keep the wall-clock time across DST changes
(``+1 day`` from 09:00 is 09:00). Months and years are not offered: their length varies and the
standard library has no calendar arithmetic for them.
"""

from __future__ import annotations

import contextlib
import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field

from nodes.base import Expr, ExprValue, NodeConfig, NodeContext, NodeType, Outputs
from runtime.core.errors import NodeRunError
from runtime.core.types import ANY, Port

Operation = Literal["now", "parse", "format", "add", "subtract", "difference", "convert"]
Unit = Literal["seconds", "minutes", "hours", "days", "weeks"]
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")


class DateTimeConfig(NodeConfig):
    operation: Operation = "format"
    value: Expr = Field(default="{{ input }}", description="ISO-8601 text or Unix seconds.")
    format: str | None = Field(
        default=None,
        max_length=200,
        description="strftime pattern: output of `format`, input of `parse` (e.g. `%d/%m/%Y`).",
    )
    amount: ExprValue = Field(default=1, description="How many units to add or subtract.")
    unit: Unit = "days"
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="Zone to work in: naive inputs are read in it, results are shown in it."
        " Unset: inputs keep their own offset, naive ones are UTC.",
    )
    to_timezone: str | None = Field(default=None, max_length=64, description="Target of `convert`.")
    other: Expr = Field(default="", description="`difference` gives value minus other.")


def _load_zone(name: str) -> tzinfo | None:
    """Look up an IANA zone; the pattern keeps keys to plain zone names, never file paths."""
    if not _ZONE_NAME.match(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _zone(name: str, field: str) -> tzinfo:
    zone = _load_zone(name)
    if zone is None:
        raise NodeRunError(f"{field}: unknown time zone {name[:64]!r}")
    return zone


def _problems(config: DateTimeConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for field in ("timezone", "to_timezone"):
        name = getattr(config, field)
        if name is not None and _load_zone(name) is None:
            problems.append((field, f"unknown time zone {name[:64]!r}"))
    needs = {"format": "format", "convert": "to_timezone", "difference": "other"}
    required = needs.get(config.operation)
    if required and not getattr(config, required):
        problems.append((required, f"required for the {config.operation!r} operation"))
    return problems


def _to_datetime(raw: Any, field: str, zone: tzinfo | None, fmt: str | None = None) -> datetime:
    """Read a JSON value as an aware datetime, or raise NodeRunError naming the field."""
    if isinstance(raw, str):
        how = f"with format {fmt!r}" if fmt else "as ISO-8601"
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        how = "as Unix seconds"
    else:
        kind = "null" if raw is None else type(raw).__name__
        raise NodeRunError(f"{field}: expected a date-time string or Unix seconds, got {kind}")
    try:
        if isinstance(raw, str):
            text = raw.strip()
            result = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
        else:
            result = datetime.fromtimestamp(raw, UTC)
        if result.tzinfo is None:
            return result.replace(tzinfo=zone or UTC)
        return result.astimezone(zone) if zone else result
    except (ValueError, OverflowError, OSError):
        raise NodeRunError(f"{field}: cannot parse {str(raw)[:80]!r} {how}") from None


def _shift(moment: datetime, amount: float, unit: str) -> datetime:
    delta = timedelta(**{unit: amount})
    if unit in ("days", "weeks"):  # wall clock, then normalize a time skipped by DST
        return (moment + delta).astimezone(UTC).astimezone(moment.tzinfo)
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def _amount(value: Any) -> float:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise NodeRunError(f"amount must be a finite number, got {str(value)[:40]!r}")
    return value


class DateTime(NodeType[DateTimeConfig]):
    type = "transform.datetime"
    title = "Date & time"
    category = "transform"
    description = "Parse, format, shift, compare or convert dates; time-zone and DST aware."
    icon = "calendar"
    inline = True
    Config = DateTimeConfig
    inputs = (Port(name="in", type=ANY),)
    outputs = (Port(name="out", type=ANY, description="ISO-8601 text; seconds for difference."),)
    example = {
        "operation": "format",
        "value": "{{ input.created_at }}",
        "format": "%A %d %B %Y, %H:%M",
        "timezone": "Europe/Berlin",
    }
    example_input = {"in": {"created_at": "2024-03-31T07:30:00Z"}}

    @classmethod
    def check(cls, config: DateTimeConfig) -> list[tuple[str, str]]:
        return _problems(config)

    async def run(
        self, config: DateTimeConfig, inputs: dict[str, Any], ctx: NodeContext
    ) -> Outputs:
        problems = _problems(config)
        if problems:
            raise NodeRunError(": ".join(problems[0]))
        zone = _zone(config.timezone, "timezone") if config.timezone else None
        op = config.operation
        if op == "now":
            return {"out": datetime.now(zone or UTC).isoformat()}
        fmt = config.format if op == "parse" else None
        moment = _to_datetime(ctx.render(config.value), "value", zone, fmt)
        try:
            return {"out": self._apply(config, moment, zone, ctx)}
        except (OverflowError, ValueError):
            raise NodeRunError(f"{op}: result is outside the supported date range") from None

    @staticmethod
    def _apply(
        config: DateTimeConfig, moment: datetime, zone: tzinfo | None, ctx: NodeContext
    ) -> Any:
        op = config.operation
        if op == "parse":
            return moment.isoformat()
        if op == "format":
            assert config.format is not None
            try:
                return moment.strftime(config.format)
            except ValueError:
                raise NodeRunError(f"format: cannot format with {config.format[:80]!r}") from None
        if op in ("add", "subtract"):
            amount = _amount(ctx.render(config.amount))
            return _shift(moment, amount if op == "add" else -amount, config.unit).isoformat()
        if op == "convert":
            assert config.to_timezone is not None
            return moment.astimezone(_zone(config.to_timezone, "to_timezone")).isoformat()
        other = _to_datetime(ctx.render(config.other), "other", zone)
        seconds = (moment.astimezone(UTC) - other.astimezone(UTC)).total_seconds()
        return int(seconds) if seconds.is_integer() else seconds
