"""One compile rule per operation value, each returning the exact low-level client request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from bloopfp.compiler import expressions
from bloopfp.compiler.placeholders import Placeholders
from bloopfp.conditions import Always, Condition
from bloopfp.errors import InvalidRequest
from bloopfp.items import dump_item, dump_key
from bloopfp.models import GlobalSecondaryIndex, Index, ModelSpec, require_concrete, spec_of
from bloopfp.operations import (
    CreateTable,
    DeleteItem,
    DeleteTable,
    DescribeTable,
    GetItem,
    Key,
    PutItem,
    Query,
    Scan,
    UpdateContinuousBackups,
    UpdateItem,
    UpdateTimeToLive,
    key_columns,
    target_parts,
)


@attrs.frozen
class Request:
    """A compiled request: the API operation name and the low-level client's params.

    `table` and `key` describe the item for error messages and logs; they are not sent.
    """

    operation: str
    params: dict[str, Any] = attrs.field(hash=False)
    table: str | None = None
    key: dict[str, Any] | None = attrs.field(default=None, hash=False)


Op = TypeVar("Op")


@functools.singledispatch
def compile_operation(operation: object) -> Request:
    """Compile an operation value into its request, without any IO."""
    raise InvalidRequest(f"no compile rule for {type(operation).__name__}; is it an operation?")


def _rule(kind: type[Op]) -> Callable[[Callable[[Op], Request]], Callable[[Op], Request]]:
    def register(function: Callable[[Op], Request]) -> Callable[[Op], Request]:
        compile_operation.register(kind)(function)
        return function

    return register


def _table_name(spec: ModelSpec) -> str:
    assert spec.table_name is not None  # require_concrete checked it
    return spec.table_name


# Tables.


def _key_schema(hash_name: str, range_name: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name is not None:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return schema


def _index_projection(spec: ModelSpec, index: Index) -> dict[str, Any]:
    if index.projection == "all":
        return {"ProjectionType": "ALL"}
    if index.projection == "keys":
        return {"ProjectionType": "KEYS_ONLY"}
    key_names = {c.key_name for c in spec.keys} | {spec.column(index.hash_key).key_name}
    if index.range_key:
        key_names.add(spec.column(index.range_key).key_name)
    extra = [spec.column(name).key_name for name in index.projection]
    return {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": [name for name in extra if name not in key_names],
    }


def _index_definition(spec: ModelSpec, index: Index) -> dict[str, Any]:
    hash_column, range_column = key_columns(spec, index)
    definition: dict[str, Any] = {
        "IndexName": index.index_name,
        "KeySchema": _key_schema(
            hash_column.key_name, range_column.key_name if range_column else None
        ),
        "Projection": _index_projection(spec, index),
    }
    if isinstance(index, GlobalSecondaryIndex) and spec.options.billing == "provisioned":
        definition["ProvisionedThroughput"] = {
            "ReadCapacityUnits": index.read_units,
            "WriteCapacityUnits": index.write_units,
        }
    return definition


def _attribute_definitions(spec: ModelSpec) -> list[dict[str, str]]:
    names: list[str] = [c.name for c in spec.keys]
    for index in spec.indexes:
        hash_column, range_column = key_columns(spec, index)
        names.append(hash_column.name)
        if range_column is not None:
            names.append(range_column.name)
    unique = list(dict.fromkeys(names))
    return [
        {"AttributeName": spec.column(n).key_name, "AttributeType": spec.column(n).type.backing}
        for n in unique
    ]


_STREAM_VIEWS = {
    "keys_only": "KEYS_ONLY",
    "new": "NEW_IMAGE",
    "old": "OLD_IMAGE",
    "new_and_old": "NEW_AND_OLD_IMAGES",
}


@_rule(CreateTable)
def _create_table(operation: CreateTable) -> Request:
    spec = require_concrete(operation.model)
    range_key = spec.range_key
    params: dict[str, Any] = {
        "TableName": _table_name(spec),
        "KeySchema": _key_schema(spec.hash_key.key_name, range_key.key_name if range_key else None),
        "AttributeDefinitions": _attribute_definitions(spec),
    }
    options = spec.options
    if options.billing == "provisioned":
        params["BillingMode"] = "PROVISIONED"
        params["ProvisionedThroughput"] = {
            "ReadCapacityUnits": options.read_units,
            "WriteCapacityUnits": options.write_units,
        }
    else:
        params["BillingMode"] = "PAY_PER_REQUEST"
    global_indexes = [i for i in spec.indexes if isinstance(i, GlobalSecondaryIndex)]
    local_indexes = [i for i in spec.indexes if not isinstance(i, GlobalSecondaryIndex)]
    if global_indexes:
        params["GlobalSecondaryIndexes"] = [_index_definition(spec, i) for i in global_indexes]
    if local_indexes:
        params["LocalSecondaryIndexes"] = [_index_definition(spec, i) for i in local_indexes]
    if options.stream is not None:
        params["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": _STREAM_VIEWS[options.stream],
        }
    if options.encryption:
        encryption: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
        if isinstance(options.encryption, str):
            encryption["KMSMasterKeyId"] = options.encryption
        params["SSESpecification"] = encryption
    return Request("CreateTable", params, table=params["TableName"])


@_rule(DescribeTable)
def _describe_table(operation: DescribeTable) -> Request:
    name = _table_name(require_concrete(operation.model))
    return Request("DescribeTable", {"TableName": name}, table=name)


@_rule(DeleteTable)
def _delete_table(operation: DeleteTable) -> Request:
    name = _table_name(require_concrete(operation.model))
    return Request("DeleteTable", {"TableName": name}, table=name)


@_rule(UpdateTimeToLive)
def _update_ttl(operation: UpdateTimeToLive) -> Request:
    spec = require_concrete(operation.model)
    if spec.options.ttl is None:
        raise InvalidRequest(f"{spec.name} declares no ttl column")
    params = {
        "TableName": _table_name(spec),
        "TimeToLiveSpecification": {
            "Enabled": True,
            "AttributeName": spec.column(spec.options.ttl).key_name,
        },
    }
    return Request("UpdateTimeToLive", params, table=_table_name(spec))


@_rule(UpdateContinuousBackups)
def _update_backups(operation: UpdateContinuousBackups) -> Request:
    name = _table_name(require_concrete(operation.model))
    params = {
        "TableName": name,
        "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": operation.model.__bloopfp__.options.backups
        },
    }
    return Request("UpdateContinuousBackups", params, table=name)


# Items.


def _add_condition(
    params: dict[str, Any], node: Condition, placeholders: Placeholders, parameter: str
) -> None:
    if not isinstance(node, Always):
        params[parameter] = expressions.condition(node, placeholders)


def _add_return_values(params: dict[str, Any], return_values: str, old_on_failure: bool) -> None:
    if return_values != "NONE":
        params["ReturnValues"] = return_values
    if old_on_failure:
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"


def _key_params(key: Key) -> tuple[str, dict[str, Any]]:
    spec = require_concrete(key.model)
    return _table_name(spec), dump_key(key.model, key.as_dict())


@_rule(PutItem)
def _put_item(operation: PutItem) -> Request:
    spec = require_concrete(type(operation.record))
    item = dump_item(operation.record)
    placeholders = Placeholders()
    params: dict[str, Any] = {"TableName": _table_name(spec), "Item": item}
    _add_condition(params, operation.condition, placeholders, "ConditionExpression")
    placeholders.add_to(params)
    _add_return_values(params, operation.return_values, operation.return_old_on_failure)
    key = {c.key_name: item[c.key_name] for c in spec.keys}
    return Request("PutItem", params, table=params["TableName"], key=key)


@_rule(GetItem)
def _get_item(operation: GetItem) -> Request:
    table, key = _key_params(operation.key)
    params: dict[str, Any] = {"TableName": table, "Key": key}
    if operation.consistent:
        params["ConsistentRead"] = True
    placeholders = Placeholders()
    if operation.projection is not None:
        params["ProjectionExpression"] = expressions.projection(operation.projection, placeholders)
    placeholders.add_to(params)
    return Request("GetItem", params, table=table, key=key)


@_rule(DeleteItem)
def _delete_item(operation: DeleteItem) -> Request:
    table, key = _key_params(operation.key)
    params: dict[str, Any] = {"TableName": table, "Key": key}
    placeholders = Placeholders()
    _add_condition(params, operation.condition, placeholders, "ConditionExpression")
    placeholders.add_to(params)
    _add_return_values(params, operation.return_values, operation.return_old_on_failure)
    return Request("DeleteItem", params, table=table, key=key)


@_rule(UpdateItem)
def _update_item(operation: UpdateItem) -> Request:
    table, key = _key_params(operation.key)
    spec = spec_of(operation.key.model)
    key_names = {c.key_name for c in spec.keys}
    for action in operation.update.actions:
        if action.path.segments[0] in key_names:
            raise InvalidRequest(
                f"{spec.name}: the update changes key attribute {action.path.segments[0]!r}; "
                "key attributes cannot be updated, so save a new record and delete the old one"
            )
    params: dict[str, Any] = {"TableName": table, "Key": key}
    placeholders = Placeholders()
    if operation.update.actions:
        params["UpdateExpression"] = expressions.update(operation.update, placeholders)
    _add_condition(params, operation.condition, placeholders, "ConditionExpression")
    placeholders.add_to(params)
    _add_return_values(params, operation.return_values, operation.return_old_on_failure)
    return Request("UpdateItem", params, table=table, key=key)


# Queries and scans.


def _read_params(target: Any) -> dict[str, Any]:
    spec, index = target_parts(target)
    params: dict[str, Any] = {"TableName": _table_name(spec)}
    if index is not None:
        params["IndexName"] = index.index_name
    return params


def _add_read_options(params: dict[str, Any], operation: Query | Scan) -> None:
    if operation.consistent:
        params["ConsistentRead"] = True
    if operation.page_size is not None:
        params["Limit"] = operation.page_size
    if operation.select is not None:
        params["Select"] = operation.select


@_rule(Query)
def _query(operation: Query) -> Request:
    params = _read_params(operation.target)
    placeholders = Placeholders()
    params["KeyConditionExpression"] = expressions.condition(
        operation.key.as_condition(), placeholders
    )
    _add_condition(params, operation.filter, placeholders, "FilterExpression")
    if operation.projection is not None:
        params["ProjectionExpression"] = expressions.projection(operation.projection, placeholders)
    placeholders.add_to(params)
    if not operation.forward:
        params["ScanIndexForward"] = False
    _add_read_options(params, operation)
    return Request("Query", params, table=params["TableName"])


@_rule(Scan)
def _scan(operation: Scan) -> Request:
    params = _read_params(operation.target)
    placeholders = Placeholders()
    _add_condition(params, operation.filter, placeholders, "FilterExpression")
    if operation.projection is not None:
        params["ProjectionExpression"] = expressions.projection(operation.projection, placeholders)
    placeholders.add_to(params)
    if operation.segment is not None:
        params["Segment"] = operation.segment
        params["TotalSegments"] = operation.total_segments
    _add_read_options(params, operation)
    return Request("Scan", params, table=params["TableName"])
