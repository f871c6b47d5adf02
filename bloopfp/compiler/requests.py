"""One compile rule per operation value, each returning the exact low-level client request."""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from bloopfp.compiler import expressions
from bloopfp.compiler.placeholders import Placeholders
from bloopfp.conditions import Always, Condition
from bloopfp.errors import DuplicateKeys, InvalidRequest
from bloopfp.item_size import attribute_value_size, item_size
from bloopfp.items import dump_item, dump_key
from bloopfp.models import GlobalSecondaryIndex, Index, ModelSpec, require_concrete, spec_of
from bloopfp.operations import (
    BATCH_GET_MAX_KEYS,
    BATCH_WRITE_MAX_REQUESTS,
    TRANSACTION_MAX_BYTES,
    TRANSACTION_MAX_ITEMS,
    BatchGetItem,
    BatchWriteItem,
    CreateTable,
    DeleteItem,
    DeleteRequest,
    DeleteTable,
    DescribeContinuousBackups,
    DescribeTable,
    DescribeTimeToLive,
    GetItem,
    Key,
    PutItem,
    PutRequest,
    Query,
    Scan,
    TransactConditionCheck,
    TransactDelete,
    TransactGet,
    TransactGetItems,
    TransactPut,
    TransactUpdate,
    TransactWriteItems,
    UpdateContinuousBackups,
    UpdateItem,
    UpdateTimeToLive,
    key_columns,
    target_parts,
)
from bloopfp.updates import Update


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
    non_key = [name for name in extra if name not in key_names]
    if not non_key:
        # DynamoDB rejects an empty NonKeyAttributes list, and keys alone are KEYS_ONLY.
        return {"ProjectionType": "KEYS_ONLY"}
    return {"ProjectionType": "INCLUDE", "NonKeyAttributes": non_key}


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


@_rule(DescribeTimeToLive)
def _describe_ttl(operation: DescribeTimeToLive) -> Request:
    name = _table_name(require_concrete(operation.model))
    return Request("DescribeTimeToLive", {"TableName": name}, table=name)


@_rule(DescribeContinuousBackups)
def _describe_backups(operation: DescribeContinuousBackups) -> Request:
    name = _table_name(require_concrete(operation.model))
    return Request("DescribeContinuousBackups", {"TableName": name}, table=name)


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
    if not isinstance(node, Condition):
        raise InvalidRequest(
            f"the {parameter} must be a Condition built from a model class, got {node!r} "
            f"({type(node).__name__})"
        )
    if not isinstance(node, Always):
        params[parameter] = expressions.checked_condition(node, placeholders, parameter)


# ReturnValues that each write accepts, from the DynamoDB API reference of each operation.
_RETURN_VALUES = {
    "PutItem": ("NONE", "ALL_OLD"),
    "DeleteItem": ("NONE", "ALL_OLD"),
    "UpdateItem": ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"),
}


def _add_return_values(
    params: dict[str, Any],
    return_values: str,
    old_on_failure: bool,
    operation: str = "UpdateItem",
) -> None:
    allowed = _RETURN_VALUES[operation]
    if return_values not in allowed:
        raise InvalidRequest(
            f"{operation} accepts ReturnValues {', '.join(allowed)}, not {return_values!r}"
        )
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
    _add_return_values(params, operation.return_values, operation.return_old_on_failure, "PutItem")
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
    _add_return_values(
        params, operation.return_values, operation.return_old_on_failure, "DeleteItem"
    )
    return Request("DeleteItem", params, table=table, key=key)


def _check_update_keys(key: Key, update: Update) -> None:
    spec = spec_of(key.model)
    if not isinstance(update, Update):
        raise InvalidRequest(
            f"an update of {spec.name} must be an Update, got {update!r} "
            f"({type(update).__name__}); build one from the model class's columns, for "
            "example Model.column.set(value)"
        )
    key_names = {c.key_name for c in spec.keys}
    for action in update.actions:
        if action.path.segments[0] in key_names:
            raise InvalidRequest(
                f"{spec.name}: the update changes key attribute {action.path.segments[0]!r}; "
                "key attributes cannot be updated, so save a new record and delete the old one"
            )


@_rule(UpdateItem)
def _update_item(operation: UpdateItem) -> Request:
    table, key = _key_params(operation.key)
    _check_update_keys(operation.key, operation.update)
    params: dict[str, Any] = {"TableName": table, "Key": key}
    placeholders = Placeholders()
    if operation.update.actions:
        params["UpdateExpression"] = expressions.checked_update(operation.update, placeholders)
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
    params["KeyConditionExpression"] = expressions.checked_condition(
        operation.key.as_condition(), placeholders, "KeyConditionExpression"
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


# Batches.


def key_token(table: str, key: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str, Any], ...]]:
    """Return a hashable identity of one item: its table and key attribute values.

    Numbers are compared by value, because DynamoDB trims their zeros: "1.50" and "1.5" name the
    same item.

    >>> key_token("people", {"id": {"S": "a"}})
    ('people', (('id', 'S', 'a'),))
    >>> key_token("t", {"n": {"N": "1.50"}}) == key_token("t", {"n": {"N": "1.5"}})
    True
    """
    parts = []
    for name in sorted(key):
        ((code, raw),) = key[name].items()
        parts.append((name, code, decimal.Decimal(raw) if code == "N" else raw))
    return table, tuple(parts)


def _reject_duplicates(what: str, tokens: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    seen: set[Any] = set()
    repeated: list[tuple[str, Mapping[str, Any]]] = []
    for table, key in tokens:
        token = key_token(table, key)
        if token in seen:
            repeated.append((table, key))
        seen.add(token)
    if repeated:
        shown = ", ".join(f"{table} {dict(key)}" for table, key in repeated[:5])
        raise DuplicateKeys(
            f"{what} names the same item more than once, which DynamoDB rejects: {shown}",
            keys=tuple(repeated),
        )


def _tables_label(tables: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(tables))


@_rule(BatchGetItem)
def _batch_get_item(operation: BatchGetItem) -> Request:
    if not 1 <= len(operation.keys) <= BATCH_GET_MAX_KEYS:
        raise InvalidRequest(
            f"BatchGetItem takes 1 to {BATCH_GET_MAX_KEYS} keys, got {len(operation.keys)}; "
            "use Engine.load_many, which splits keys into chunks"
        )
    dumped = [_key_params(key) for key in operation.keys]
    _reject_duplicates("BatchGetItem", dumped)

    request_items: dict[str, dict[str, Any]] = {}
    for table, key in dumped:
        entry = request_items.setdefault(table, {"Keys": []})
        entry["Keys"].append(key)
        if operation.consistent:
            entry["ConsistentRead"] = True
    return Request(
        "BatchGetItem", {"RequestItems": request_items}, table=_tables_label(request_items)
    )


def _write_request(request: PutRequest | DeleteRequest) -> tuple[str, dict[str, Any], Any]:
    """Return the table, the WriteRequest and the item's key of one batch write request."""
    if isinstance(request, PutRequest):
        spec = require_concrete(type(request.record))
        item = dump_item(request.record)
        key = {c.key_name: item[c.key_name] for c in spec.keys}
        return _table_name(spec), {"PutRequest": {"Item": item}}, key
    table, key = _key_params(request.key)
    return table, {"DeleteRequest": {"Key": key}}, key


@_rule(BatchWriteItem)
def _batch_write_item(operation: BatchWriteItem) -> Request:
    if not 1 <= len(operation.requests) <= BATCH_WRITE_MAX_REQUESTS:
        raise InvalidRequest(
            f"BatchWriteItem takes 1 to {BATCH_WRITE_MAX_REQUESTS} requests, got "
            f"{len(operation.requests)}; use Engine.save_many or Engine.delete_many, which split "
            "requests into chunks"
        )
    compiled = [_write_request(request) for request in operation.requests]
    _reject_duplicates("BatchWriteItem", [(table, key) for table, _, key in compiled])

    request_items: dict[str, list[dict[str, Any]]] = {}
    for table, write_request, _ in compiled:
        request_items.setdefault(table, []).append(write_request)
    return Request(
        "BatchWriteItem", {"RequestItems": request_items}, table=_tables_label(request_items)
    )


# Transactions.


def _failure_return(params: dict[str, Any], return_old_on_failure: bool) -> dict[str, Any]:
    if return_old_on_failure:
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return params


def _keyed_entry(key: Key, condition: Condition, old_on_failure: bool) -> dict[str, Any]:
    table, dumped = _key_params(key)
    params: dict[str, Any] = {"TableName": table, "Key": dumped}
    placeholders = Placeholders()
    _add_condition(params, condition, placeholders, "ConditionExpression")
    placeholders.add_to(params)
    return _failure_return(params, old_on_failure)


@functools.singledispatch
def compile_transact_item(item: object) -> dict[str, Any]:
    """Compile one transaction item into its TransactWriteItem or TransactGetItem entry."""
    raise InvalidRequest(f"{type(item).__name__} is not a transaction item")


@compile_transact_item.register
def _transact_put(item: TransactPut) -> dict[str, Any]:
    spec = require_concrete(type(item.record))
    params: dict[str, Any] = {"TableName": _table_name(spec), "Item": dump_item(item.record)}
    placeholders = Placeholders()
    _add_condition(params, item.condition, placeholders, "ConditionExpression")
    placeholders.add_to(params)
    return {"Put": _failure_return(params, item.return_old_on_failure)}


@compile_transact_item.register
def _transact_update(item: TransactUpdate) -> dict[str, Any]:
    _check_update_keys(item.key, item.update)
    if not item.update.actions:
        if isinstance(item.condition, Always):
            raise InvalidRequest(
                f"transaction update of {spec_of(item.key.model).name} {item.key.as_dict()} "
                "changes nothing and has no condition; remove it from the transaction"
            )
        # An update without actions only checks its condition, which is what ConditionCheck does.
        return {
            "ConditionCheck": _keyed_entry(item.key, item.condition, item.return_old_on_failure)
        }
    table, key = _key_params(item.key)
    params: dict[str, Any] = {"TableName": table, "Key": key}
    placeholders = Placeholders()
    params["UpdateExpression"] = expressions.update(item.update, placeholders)
    _add_condition(params, item.condition, placeholders, "ConditionExpression")
    placeholders.add_to(params)
    return {"Update": _failure_return(params, item.return_old_on_failure)}


@compile_transact_item.register
def _transact_delete(item: TransactDelete) -> dict[str, Any]:
    return {"Delete": _keyed_entry(item.key, item.condition, item.return_old_on_failure)}


@compile_transact_item.register
def _transact_condition_check(item: TransactConditionCheck) -> dict[str, Any]:
    if isinstance(item.condition, Always):
        raise InvalidRequest(
            f"condition check of {spec_of(item.key.model).name} {item.key.as_dict()} needs a "
            "condition"
        )
    return {"ConditionCheck": _keyed_entry(item.key, item.condition, item.return_old_on_failure)}


@compile_transact_item.register
def _transact_get(item: TransactGet) -> dict[str, Any]:
    table, key = _key_params(item.key)
    params: dict[str, Any] = {"TableName": table, "Key": key}
    placeholders = Placeholders()
    if item.projection is not None:
        params["ProjectionExpression"] = expressions.projection(item.projection, placeholders)
    placeholders.add_to(params)
    return {"Get": params}


def _entry_body(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    ((_, body),) = entry.items()
    return body  # type: ignore[no-any-return]


def _entry_size(body: Mapping[str, Any]) -> int:
    """Estimate the bytes one transaction entry contributes: its item, key and values."""
    size = item_size(body.get("Item") or body.get("Key") or {})
    values = body.get("ExpressionAttributeValues", {})
    return size + sum(attribute_value_size(value) for value in values.values())


def _check_transaction(operation: str, entries: list[dict[str, Any]]) -> None:
    if not 1 <= len(entries) <= TRANSACTION_MAX_ITEMS:
        raise InvalidRequest(
            f"{operation} takes 1 to {TRANSACTION_MAX_ITEMS} items, got {len(entries)}"
        )
    # NOTE: DynamoDB limits the aggregate size of the items a transaction touches to 4 MB. For
    # updates, deletes and checks the stored item is unknown here, so this counts only the key
    # and the expression values: a transaction that passes may still exceed the limit.
    total = sum(_entry_size(_entry_body(entry)) for entry in entries)
    if total > TRANSACTION_MAX_BYTES:
        raise InvalidRequest(
            f"{operation} sends {total} bytes of items, more than DynamoDB's limit of "
            f"{TRANSACTION_MAX_BYTES} bytes (4 MB); split it into smaller transactions"
        )


def _check_item_kinds(operation: str, items: Sequence[Any], reads: bool) -> None:
    for position, item in enumerate(items):
        if isinstance(item, TransactGet) != reads:
            expected = "TransactGet items" if reads else "put, update, delete and check items"
            raise InvalidRequest(
                f"{operation} takes {expected}, but item {position} is a {type(item).__name__}"
            )


@_rule(TransactWriteItems)
def _transact_write_items(operation: TransactWriteItems) -> Request:
    _check_item_kinds("TransactWriteItems", operation.items, reads=False)
    entries = [compile_transact_item(item) for item in operation.items]
    _check_transaction("TransactWriteItems", entries)
    keys = []
    for item, entry in zip(operation.items, entries, strict=True):
        body = _entry_body(entry)
        if isinstance(item, TransactPut):
            spec = require_concrete(type(item.record))
            keys.append(
                (body["TableName"], {c.key_name: body["Item"][c.key_name] for c in spec.keys})
            )
        else:
            keys.append((body["TableName"], body["Key"]))
    _reject_duplicates("TransactWriteItems", keys)

    params: dict[str, Any] = {"TransactItems": entries}
    if operation.token is not None:
        params["ClientRequestToken"] = operation.token
    tables = [_entry_body(entry)["TableName"] for entry in entries]
    return Request("TransactWriteItems", params, table=_tables_label(tables))


@_rule(TransactGetItems)
def _transact_get_items(operation: TransactGetItems) -> Request:
    _check_item_kinds("TransactGetItems", operation.items, reads=True)
    entries = [compile_transact_item(item) for item in operation.items]
    _check_transaction("TransactGetItems", entries)
    keys = [(_entry_body(entry)["TableName"], _entry_body(entry)["Key"]) for entry in entries]
    _reject_duplicates("TransactGetItems", keys)
    tables = [_entry_body(entry)["TableName"] for entry in entries]
    return Request("TransactGetItems", {"TransactItems": entries}, table=_tables_label(tables))
