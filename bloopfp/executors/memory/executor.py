"""MemoryExecutor: an in-memory DynamoDB that serves the low-level client's request dicts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from bloopfp.executors.memory import (
    batches,
    item_operations,
    reads,
    table_operations,
    time_to_live,
    transactions,
)
from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import RequestRejected, not_supported, service_error
from bloopfp.executors.memory.faults import (
    DATA_OPERATIONS,
    FaultInjector,
    Faults,
    internal_error,
    throttled,
)
from bloopfp.executors.memory.tables import Table
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

BatchHandler = Callable[[Database, Mapping[str, Any], batches.ChooseUnprocessed], dict[str, Any]]

BATCH_HANDLERS: dict[str, BatchHandler] = {
    "BatchGetItem": batches.batch_get_item,
    "BatchWriteItem": batches.batch_write_item,
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
    objects with requests or responses.

    `clock` returns seconds since the epoch. Everything that depends on time reads it:
    CreationDateTime and other timestamps, the ten-minute memory of ClientRequestToken, and which
    items have expired under time to live. `faults` makes some calls fail as DynamoDB does
    under load (see `Faults`). By default no call fails, and tests can set `faults` after
    storing their fixtures.
    """

    def __init__(
        self, clock: Callable[[], float] = time.time, faults: Faults | None = None
    ) -> None:
        self._database = Database(clock)
        self._request_count = 0
        self._faults = FaultInjector(faults if faults is not None else Faults())
        # One call at a time, as DynamoDB applies each request atomically: the engine's parallel
        # scans and concurrent batches call from several threads.
        self._lock = threading.RLock()

    @property
    def faults(self) -> Faults:
        """The faults this executor injects. Setting new ones restarts the random generator."""
        return self._faults.faults

    @faults.setter
    def faults(self, faults: Faults | None) -> None:
        with self._lock:
            self._faults = FaultInjector(faults if faults is not None else Faults())

    def delete_expired_items(self, table_name: str | None = None) -> int:
        """Delete every item whose time to live has passed and return how many were deleted.

        This plays DynamoDB's background TTL process, which the executor never runs by itself:
        expired items stay readable until this is called. An item has expired when its table
        has time to live enabled and the item's TTL attribute is a Number of epoch seconds at or
        before the clock's current time (and no more than five years before it). Items without
        the attribute, or with a value of another type, never expire. Deleted items leave every
        index too. `table_name` limits the sweep to one table, and ValueError is raised when it
        does not exist.
        """
        with self._lock:
            now = self._database.clock()
            if table_name is not None:
                if table_name not in self._database.tables:
                    raise ValueError(f"MemoryExecutor has no table named {table_name!r}")
                tables = [self._database.tables[table_name]]
            else:
                tables = list(self._database.tables.values())
            return sum(time_to_live.delete_expired(table, now) for table in tables)

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Perform one DynamoDB API call and return its response."""
        with self._lock:
            try:
                response = self._dispatch(operation, params)
            except RequestRejected as rejection:
                raise rejection.for_operation(operation) from None
            self._request_count += 1
            request_number = self._request_count
        response["ResponseMetadata"] = {
            "RequestId": f"MEMORY{request_number:026d}",
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

        if operation in DATA_OPERATIONS:
            return self._call_with_faults(operation, handler, params)
        return handler(self._database, params)

    def _call_with_faults(
        self, operation: str, handler: Handler, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Call an item operation's handler, unless an injected fault fails the call first."""
        tables = _tables_named(self._database, params)
        if tables is None:
            return handler(self._database, params)
        error = self._faults.draw_error(operation)
        if error == "throttle":
            raise throttled(operation, tables)
        if error == "internal_error":
            raise internal_error()
        batch_handler = BATCH_HANDLERS.get(operation)
        if batch_handler is not None and operation in self._faults.faults.operations:
            return batch_handler(self._database, params, self._faults.unprocessed_positions)
        return handler(self._database, params)


def _tables_named(database: Database, params: Mapping[str, Any]) -> dict[str, Table] | None:
    """Return the tables a request names, or None when one of them does not exist.

    Faults are drawn only for requests on existing tables, so a request on a missing table
    still raises ResourceNotFoundException.
    """
    names: list[str] = []
    if "TableName" in params:
        names.append(params["TableName"])
    names.extend(params.get("RequestItems", {}))
    for entry in params.get("TransactItems", []):
        names.extend(request["TableName"] for request in entry.values() if "TableName" in request)
    tables = {name: database.tables.get(name) for name in names}
    if any(table is None for table in tables.values()):
        return None
    return {name: table for name, table in tables.items() if table is not None}


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
