"""Every DynamoDB call the store makes goes through ``Table``.

One item at a time, conditions spelled once, botocore failures turned into store errors, values
through the codec.

Expressions name attributes as ``#name`` and values as ``:name`` (or ``:name__tag`` when the
same attribute needs two values); ``#name`` is filled in automatically, and ``:name__tag`` is
encoded the way attribute ``name`` is stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from runtime.store import codec
from runtime.store.codec import Item
from runtime.store.keys import Key
from runtime.store.table import DynamoDBClient, translate

_NAME = re.compile(r"#(\w+)")


class ConditionFailed(Exception):
    """A condition did not hold; ``old`` is the item as it is now (None if there is none)."""

    def __init__(self, old: Item | None) -> None:
        super().__init__("the conditional request failed")
        self.old = old

    @property
    def fields(self) -> dict[str, Any] | None:
        return None if self.old is None else codec.from_item(self.old)


def _names(*expressions: str | None) -> dict[str, str]:
    return {f"#{n}": n for e in expressions if e for n in _NAME.findall(e)}


def _values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {p: codec.encode_value(p[1:].split("__")[0], v) for p, v in values.items()}


def _key(key: Key) -> dict[str, Any]:
    return codec.to_item({"PK": key.pk, "SK": key.sk})


class Table:
    def __init__(self, client: DynamoDBClient, name: str) -> None:
        self.client = client
        self.name = name

    def _call(self, method: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
        try:
            return method(TableName=self.name, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailed(exc.response.get("Item")) from None
            raise translate(exc, self.name) from exc
        except BotoCoreError as exc:
            raise translate(exc, self.name) from exc

    def _expression_args(
        self, condition: str | None, values: Mapping[str, Any] | None, *others: str | None
    ) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if condition:
            args["ConditionExpression"] = condition
            args["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        names = _names(condition, *others)
        if names:
            args["ExpressionAttributeNames"] = names
        if values:
            args["ExpressionAttributeValues"] = _values(values)
        return args

    def get(
        self, key: Key, *, consistent: bool = True, attributes: Sequence[str] = ()
    ) -> dict[str, Any] | None:
        args: dict[str, Any] = {"Key": _key(key), "ConsistentRead": consistent}
        if attributes:
            args["ProjectionExpression"] = ", ".join(f"#{a}" for a in attributes)
            args["ExpressionAttributeNames"] = {f"#{a}": a for a in attributes}
        item = self._call(self.client.get_item, **args).get("Item")
        return None if item is None else codec.from_item(item)

    def put(
        self,
        fields: Mapping[str, Any],
        *,
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.put_raw(codec.to_item(fields), condition=condition, values=values)

    def put_raw(
        self, item: Item, *, condition: str | None = None, values: Mapping[str, Any] | None = None
    ) -> None:
        self._call(self.client.put_item, Item=item, **self._expression_args(condition, values))

    def put_new(self, fields: Mapping[str, Any]) -> None:
        """Create an item that must not exist yet (see ``put_new_item``)."""
        self.put_new_item(codec.to_item(fields))

    def put_new_item(self, item: Item) -> None:
        """Create an already encoded item that must not exist yet.

        A write token tells "someone else's item is there" (``ConditionFailed``) apart from
        "our own write landed, but the answer was lost and the client's retry then failed the
        condition", which must count as success.
        """
        token = secrets.token_hex(8)
        try:
            # ``PK`` is not a reserved word, so no ExpressionAttributeNames: one map less for
            # the server to parse on every run record.
            self.put_raw({**item, "wtoken": {"S": token}}, condition="attribute_not_exists(PK)")
        except ConditionFailed as exc:
            if (exc.fields or {}).get("wtoken") != token:
                raise

    def update(
        self,
        key: Key,
        *,
        set_fields: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        add: Mapping[str, int] | None = None,
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Apply the change and return the item as it is afterwards.

        ``add`` increments native number attributes atomically (creating them at 0), which is
        how a running total takes concurrent writers without a read-modify-write race.
        """
        set_fields = set_fields or {}
        add = add or {}
        clauses = []
        if set_fields:
            clauses.append("SET " + ", ".join(f"#{n} = :{n}__set" for n in set_fields))
        if remove:
            clauses.append("REMOVE " + ", ".join(f"#{n}" for n in remove))
        if add:
            clauses.append("ADD " + ", ".join(f"#{n} :{n}__add" for n in add))
        update = " ".join(clauses)
        all_values = {
            **(values or {}),
            **{f":{n}__set": v for n, v in set_fields.items()},
            **{f":{n}__add": v for n, v in add.items()},
        }
        response = self._call(
            self.client.update_item,
            Key=_key(key),
            UpdateExpression=update,
            ReturnValues="ALL_NEW",
            **self._expression_args(condition, all_values, update),
        )
        return codec.from_item(response["Attributes"])

    def delete(
        self, key: Key, *, condition: str | None = None, values: Mapping[str, Any] | None = None
    ) -> None:
        args = self._expression_args(condition, values)
        self._call(self.client.delete_item, Key=_key(key), **args)

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        between: tuple[str, str] | None = None,
        newest_first: bool = False,
        filter_expression: str | None = None,
        values: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        consistent: bool = True,
        attributes: Sequence[str] = (),
        index: tuple[str, str] | None = None,
        below: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        for item in self.query_raw(
            pk,
            prefix=prefix,
            between=between,
            index=index,
            below=below,
            newest_first=newest_first,
            filter_expression=filter_expression,
            values=values,
            page_size=page_size,
            consistent=consistent,
            attributes=attributes,
        ):
            yield codec.from_item(item)

    def query_raw(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        between: tuple[str, str] | None = None,
        newest_first: bool = False,
        filter_expression: str | None = None,
        values: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        consistent: bool = True,
        attributes: Sequence[str] = (),
        index: tuple[str, str] | None = None,
        below: str | None = None,
    ) -> Iterator[Item]:
        """Pages are fetched lazily, so stopping early stops reading.

        ``index`` is a global secondary index's (name, partition key attribute); its sort key
        is ``SK``, and its reads are eventually consistent (DynamoDB offers no other).
        ``below`` keeps sort keys under it (a page cursor; not combined with ``prefix``).
        """
        pk_attr = index[1] if index else "PK"
        key_condition = f"#{pk_attr} = :PK"
        all_values: dict[str, Any] = {":PK": pk}
        if prefix:
            key_condition += " AND begins_with(#SK, :SK)"
            all_values[":SK"] = prefix
        elif between:
            key_condition += " AND #SK BETWEEN :SK__lo AND :SK__hi"
            all_values.update({":SK__lo": between[0], ":SK__hi": between[1]})
        elif below:
            key_condition += " AND #SK < :SK"
            all_values[":SK"] = below
        all_values.update(values or {})
        projection = ", ".join(f"#{a}" for a in attributes) or None
        args: dict[str, Any] = {
            "KeyConditionExpression": key_condition,
            "ScanIndexForward": not newest_first,
            "ConsistentRead": consistent and index is None,
            "ExpressionAttributeNames": _names(key_condition, filter_expression, projection),
            "ExpressionAttributeValues": _values(all_values),
        }
        if filter_expression:
            args["FilterExpression"] = filter_expression
        if projection:
            args["ProjectionExpression"] = projection
        if page_size:
            args["Limit"] = page_size
        if index:
            args["IndexName"] = index[0]
        yield from self._pages(self.client.query, args)

    def scan(
        self, *, filter_expression: str, values: Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        args: dict[str, Any] = {
            "FilterExpression": filter_expression,
            "ExpressionAttributeNames": _names(filter_expression),
            "ExpressionAttributeValues": _values(values),
        }
        for item in self._pages(self.client.scan, args):
            yield codec.from_item(item)

    def transact(
        self,
        *,
        update: tuple[Key, Mapping[str, Any], str, Mapping[str, Any]] | None = None,
        put_new: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """All or nothing: ``update`` applies under its condition, each of ``put_new`` is new.

        ``update`` is (key, fields to set, condition, values). Raises ``ConditionFailed``
        (with no item) when any condition fails. At most 100 items.
        """
        items: list[dict[str, Any]] = []
        if update is not None:
            key, set_fields, condition, values = update
            expression = "SET " + ", ".join(f"#{n} = :{n}__set" for n in set_fields)
            all_values = {**values, **{f":{n}__set": v for n, v in set_fields.items()}}
            args = self._expression_args(condition, all_values, expression)
            args.pop("ReturnValuesOnConditionCheckFailure")
            items.append(
                {
                    "Update": {
                        "TableName": self.name,
                        "Key": _key(key),
                        "UpdateExpression": expression,
                        **args,
                    }
                }
            )
        for fields in put_new:
            items.append(
                {
                    "Put": {
                        "TableName": self.name,
                        "Item": codec.to_item(fields),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        if len(items) > 100:
            raise ValueError(f"a transaction takes at most 100 items, not {len(items)}")
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                raise ConditionFailed(None) from None
            raise translate(exc, self.name) from exc
        except BotoCoreError as exc:
            raise translate(exc, self.name) from exc

    def _pages(self, method: Callable[..., dict[str, Any]], args: dict[str, Any]) -> Iterator[Item]:
        while True:
            page = self._call(method, **args)
            yield from page.get("Items", [])
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            args = {**args, "ExclusiveStartKey": last}
