"""Exceptions raised by bloopfp.

Every error carries its pieces as attributes (model, column, value, table, key) as well as a
message that tells the caller what to do next. Errors found in user input are raised before any
request is sent. Errors returned by DynamoDB are translated by the runtime into the service errors
below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _describe_value(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > 4000:
        # repr() of an int this large raises ValueError (Python's int-to-text digit limit).
        return f"an int of about {int(value.bit_length() * 0.30103)} digits (int)"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


class BloopfpError(Exception):
    """Base class of every error that bloopfp raises."""


# Errors in models, records and expressions: found before any request is sent.


class InvalidModel(BloopfpError, TypeError):
    """A model declaration that DynamoDB or bloopfp cannot use."""

    def __init__(self, model: str, problem: str) -> None:
        self.model = model
        self.problem = problem
        super().__init__(f"invalid model {model}: {problem}")


class InvalidValue(BloopfpError, ValueError):
    """A Python value that its column's type cannot store.

    A type raises it with only the value and the reason. The model layer adds the model and
    column with `in_column` before the error reaches the caller.
    """

    def __init__(
        self,
        reason: str,
        *,
        value: object,
        type_name: str | None = None,
        model: str | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.value = value
        self.type_name = type_name
        self.model = model
        self.column = column
        super().__init__(self._message())

    def _message(self) -> str:
        where = ""
        if self.model is not None and self.column is not None:
            where = f"{self.model}.{self.column}: "
        elif self.column is not None:
            where = f"{self.column}: "
        kind = f" for {self.type_name}" if self.type_name else ""
        return f"{where}invalid value {_describe_value(self.value)}{kind}: {self.reason}"

    def in_column(self, model: str, column: str) -> InvalidValue:
        """Return a copy of this error that names the model and column."""
        return InvalidValue(
            self.reason, value=self.value, type_name=self.type_name, model=model, column=column
        )


class UnknownColumn(BloopfpError, TypeError):
    """A record constructor, key or expression named a column the model does not have."""

    def __init__(self, model: str, column: str, known: tuple[str, ...]) -> None:
        self.model = model
        self.column = column
        self.known = known
        choices = ", ".join(known)
        super().__init__(f"{model} has no column {column!r}; its columns are: {choices}")


class MissingKey(BloopfpError, ValueError):
    """A key that lacks its hash key or range key, or contains None or an empty value."""

    def __init__(self, model: str, column: str, problem: str) -> None:
        self.model = model
        self.column = column
        self.problem = problem
        super().__init__(f"{model}.{column}: {problem}")


class InvalidCondition(BloopfpError, ValueError):
    """A condition, key condition or update that DynamoDB would reject, found while building it."""


class InvalidRequest(BloopfpError, ValueError):
    """An operation that cannot be compiled into a valid request."""


class InvalidParameters(InvalidRequest):
    """Request parameters that botocore rejected before sending them (ParamValidationError)."""

    def __init__(self, message: str, *, operation: str, table: str | None = None) -> None:
        self.operation = operation
        self.table = table
        super().__init__(message)


class ItemTooLarge(InvalidRequest):
    """An item over DynamoDB's 400 KB item size limit, found before it is sent."""

    def __init__(self, model: str, key: Mapping[str, object], size: int, limit: int) -> None:
        self.model = model
        self.key = dict(key)
        self.size = size
        self.limit = limit
        super().__init__(
            f"{model} item with key {self.key!r} is {size} bytes, over DynamoDB's item size limit "
            f"of {limit} bytes; move large attributes to another item or to S3"
        )


# Results.


class NotFound(BloopfpError, LookupError):
    """No item is stored under the requested key."""

    def __init__(self, model: str, table: str, key: Mapping[str, object]) -> None:
        self.model = model
        self.table = table
        self.key = dict(key)
        super().__init__(f"no {model} item in table {table!r} with key {self.key!r}")


class ConstraintViolation(BloopfpError, ValueError):
    """A query expected exactly one result (`.one()`) and found none or several."""


# Errors returned by DynamoDB, translated by the runtime.


class ServiceError(BloopfpError):
    """An error response from DynamoDB, with its error code, message and the failed request."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        operation: str,
        table: str | None = None,
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.operation = operation
        self.table = table
        self.response: dict[str, Any] = dict(response or {})
        super().__init__(message)


class ConditionFailed(ServiceError):
    """A condition expression evaluated to false, so the write was not applied.

    `old` is the stored item (as the low-level AttributeValue dict) when the request asked for
    ReturnValuesOnConditionCheckFailure=ALL_OLD and an item existed.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        table: str | None,
        key: Mapping[str, Any] | None,
        old: Mapping[str, Any] | None = None,
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.key = dict(key) if key is not None else None
        self.old = dict(old) if old is not None else None
        super().__init__(
            message,
            code="ConditionalCheckFailedException",
            operation=operation,
            table=table,
            response=response,
        )


class TableNotFound(ServiceError):
    """The table or index named in a request does not exist."""


class ValidationError(ServiceError):
    """DynamoDB rejected the request as invalid (ValidationException)."""


class Throttled(ServiceError):
    """DynamoDB throttled the request, and the retry policy gave up."""


class ConnectionFailed(BloopfpError):
    """The request did not reach DynamoDB, or its response did not arrive, on the last attempt.

    `endpoint` is the URL botocore tried (None when botocore did not report it), `reason` the
    name of the botocore exception (EndpointConnectionError, ConnectTimeoutError,
    ReadTimeoutError, ...) and `attempts` how many attempts were made. After a read timeout
    the request may have applied.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        table: str | None,
        endpoint: str | None,
        reason: str,
        attempts: int,
    ) -> None:
        self.operation = operation
        self.table = table
        self.endpoint = endpoint
        self.reason = reason
        self.attempts = attempts
        super().__init__(message)


class TransactionCanceled(ServiceError):
    """A transaction was canceled. `reasons` has one entry per submitted item, in order."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        reasons: tuple[Mapping[str, Any], ...],
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.reasons = tuple(dict(reason) for reason in reasons)
        super().__init__(
            message, code="TransactionCanceledException", operation=operation, response=response
        )


# Errors of batches and transactions.


class ItemsNotFound(NotFound):
    """Some of the keys requested from a batch read have no stored item.

    `keys` lists every missing key (by Python column name) in the order they were requested;
    `key` is the first of them, as for NotFound.
    """

    def __init__(self, model: str, table: str, keys: tuple[Mapping[str, object], ...]) -> None:
        self.keys = tuple(dict(key) for key in keys)
        super().__init__(model, table, self.keys[0] if self.keys else {})
        shown = ", ".join(repr(key) for key in self.keys[:5])
        more = f" and {len(self.keys) - 5} more" if len(self.keys) > 5 else ""
        self.args = (
            f"no {model} item in table {table!r} for {len(self.keys)} of the requested keys: "
            f"{shown}{more}. Pass missing='skip' or missing='none' to accept missing items",
        )


class BatchIncomplete(BloopfpError):
    """A batch read or write gave up before every request was processed.

    `unprocessed` contains exactly the inputs that were not read or written, in the caller's terms
    (records, or keys by Python column name), in the order they were given. Everything else was
    processed, so retrying with `unprocessed` finishes the work.
    """

    def __init__(
        self, message: str, *, operation: str, unprocessed: tuple[Any, ...], attempts: int
    ) -> None:
        self.operation = operation
        self.unprocessed = unprocessed
        self.attempts = attempts
        super().__init__(message)


class DuplicateKeys(InvalidRequest):
    """A batch or transaction names the same item more than once, and was rejected before sending.

    `keys` lists each repeated key as (table, key) with the key by DynamoDB attribute name.
    """

    def __init__(self, message: str, *, keys: tuple[tuple[str, Mapping[str, Any]], ...]) -> None:
        self.keys = keys
        super().__init__(message)


class TransactionItemsCanceled(TransactionCanceled):
    """A canceled transaction whose reasons are mapped back to the submitted items.

    `cancellations[i]` is a `bloopfp.transactions.Cancellation` for the i-th submitted item: the
    item value, DynamoDB's code and message, and the stored record when the item asked for it.
    `reasons` keeps DynamoDB's raw CancellationReasons.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        reasons: tuple[Mapping[str, Any], ...],
        cancellations: tuple[Any, ...],
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.cancellations = cancellations
        super().__init__(message, operation=operation, reasons=reasons, response=response)
