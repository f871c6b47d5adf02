"""MemoryExecutor: an in-memory DynamoDB that serves the low-level client's request dicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from bloopfp.executors.memory import (
    batches,
    item_operations,
    reads,
    table_operations,
    transactions,
)
from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import RequestRejected, not_supported, service_error
from bloopfp.executors.memory.validate import operation_model, validate_request

Handler = Callable[[Database, Mapping[str, Any]], dict[str, Any]]

HANDLERS: dict[str, Handler] = {
    "CreateTable": table_operations.create_table,
    "DescribeTable": table_operations.describe_table,
    "DeleteTable": table_operations.delete_table,
    "ListTables": table_operations.list_tables,
    "UpdateTable": table_operations.update_table,
    "UpdateTimeToLive": table_operations.update_time_to_live,
    "DescribeTimeToLive": table_operations.describe_time_to_live,
    "UpdateContinuousBackups": table_operations.update_continuous_backups,
    "DescribeContinuousBackups": table_operations.describe_continuous_backups,
    "PutItem": item_operations.put_item,
    "GetItem": item_operations.get_item,
    "DeleteItem": item_operations.delete_item,
    "UpdateItem": item_operations.update_item,
    "Query": reads.query,
    "Scan": reads.scan,
    "BatchGetItem": batches.batch_get_item,
    "BatchWriteItem": batches.batch_write_item,
    "TransactWriteItems": transactions.transact_write_items,
    "TransactGetItems": transactions.transact_get_items,
}

LEGACY_PARAMETERS = (
    "Expected",
    "AttributeUpdates",
    "KeyConditions",
    "QueryFilter",
    "ScanFilter",
    "AttributesToGet",
    "ConditionalOperator",
)


class MemoryExecutor:
    """An in-memory DynamoDB behind the `Executor` protocol.

    `call` takes the operation name and the parameters of the low-level boto3 client, and
    returns its response dict or raises `botocore.exceptions.ClientError` with DynamoDB's error
    code. Requests are validated against botocore's service model, and stored items never share
    objects with requests or responses. `clock` returns seconds since the epoch and dates
    CreationDateTime and other timestamps.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._database = Database(clock)
        self._request_count = 0

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Perform one DynamoDB API call and return its response."""
        try:
            response = self._dispatch(operation, params)
        except RequestRejected as rejection:
            raise rejection.for_operation(operation) from None
        self._request_count += 1
        response["ResponseMetadata"] = {
            "RequestId": f"MEMORY{self._request_count:026d}",
            "HTTPStatusCode": 200,
            "HTTPHeaders": {},
            "RetryAttempts": 0,
        }
        return response

    def _dispatch(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        model = operation_model(operation)
        handler = HANDLERS.get(operation)
        if model is None:
            message = f"{operation} is not a DynamoDB operation"
            raise service_error(operation, "UnknownOperationException", message)
        if handler is None:
            message = f"MemoryExecutor does not implement the DynamoDB operation {operation}"
            raise service_error(operation, "UnknownOperationException", message)
        validate_request(model, params)
        _reject_unsupported(params)
        return handler(self._database, params)


def _reject_unsupported(params: Mapping[str, Any]) -> None:
    legacy = "Use the expression parameters instead of this legacy parameter."
    for name in LEGACY_PARAMETERS:
        if name in params:
            raise not_supported(name, legacy)
    for entry in params.get("RequestItems", {}).values():
        if isinstance(entry, Mapping) and "AttributesToGet" in entry:
            raise not_supported("AttributesToGet", legacy)
    # MemoryExecutor does not measure capacity, so it rejects a request for the numbers rather
    # than return made-up ones.
    if params.get("ReturnConsumedCapacity", "NONE") != "NONE":
        raise not_supported("ReturnConsumedCapacity", "Leave it out or set it to NONE.")
    if params.get("ReturnItemCollectionMetrics", "NONE") != "NONE":
        raise not_supported("ReturnItemCollectionMetrics", "Leave it out or set it to NONE.")
