"""Builders of the ClientError exceptions that DynamoDB returns, shaped as botocore parses them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError


def service_error(
    operation: str, code: str, message: str, /, http_status: int = 400, **modeled: Any
) -> ClientError:
    """Build the ClientError that botocore raises for a DynamoDB error response.

    `modeled` contains the error shape's extra members, which botocore copies to the top level
    of the parsed response (for example "Item" or "CancellationReasons"). DynamoDB returns client
    errors with HTTP status 400 and server errors with 500.
    """
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {
            "HTTPStatusCode": http_status,
            "HTTPHeaders": {},
            "RetryAttempts": 0,
        },
        **modeled,
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


class RequestRejected(Exception):
    """A DynamoDB error raised deep inside a handler, before the operation name is known.

    The executor turns it into a ClientError for the operation being called.
    """

    def __init__(self, code: str, message: str, /, http_status: int = 400, **modeled: Any) -> None:
        self.code = code
        self.message = message
        self.http_status = http_status
        self.modeled = modeled
        super().__init__(f"{code}: {message}")

    def for_operation(self, operation: str) -> ClientError:
        """Return the ClientError that this rejection raises for `operation`."""
        return service_error(
            operation, self.code, self.message, http_status=self.http_status, **self.modeled
        )


def invalid(message: str) -> RequestRejected:
    """Return a ValidationException with `message`."""
    return RequestRejected("ValidationException", message)


def invalid_parameters(detail: str) -> RequestRejected:
    """Return the ValidationException that DynamoDB uses for invalid parameter values."""
    return invalid(f"One or more parameter values were invalid: {detail}")


def table_not_found(table: str | None = None) -> RequestRejected:
    """Return the ResourceNotFoundException for a missing table."""
    message = "Requested resource not found"
    if table is not None:
        message = f"Requested resource not found: Table: {table} not found"
    return RequestRejected("ResourceNotFoundException", message, message=message)


def table_in_use(message: str) -> RequestRejected:
    """Return the ResourceInUseException, as for creating a table that already exists."""
    return RequestRejected("ResourceInUseException", message, message=message)


def condition_failed(item: Mapping[str, Any] | None) -> RequestRejected:
    """Return the ConditionalCheckFailedException, carrying the stored item when one is given."""
    message = "The conditional request failed"
    modeled: dict[str, Any] = {"message": message}
    if item is not None:
        modeled["Item"] = item
    return RequestRejected("ConditionalCheckFailedException", message, **modeled)


def transaction_canceled(reasons: Sequence[Mapping[str, Any]]) -> RequestRejected:
    """Return the TransactionCanceledException with one cancellation reason per request item."""
    codes = ", ".join(str(reason["Code"]) for reason in reasons)
    message = (
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
    )
    return RequestRejected(
        "TransactionCanceledException",
        message,
        Message=message,
        CancellationReasons=[dict(reason) for reason in reasons],
    )


def idempotent_mismatch() -> RequestRejected:
    """Return the error for a reused ClientRequestToken with a different request."""
    message = (
        "Request with the same ClientRequestToken was already received with different parameters"
    )
    return RequestRejected("IdempotentParameterMismatchException", message, Message=message)


def not_supported(parameter: str, advice: str) -> RequestRejected:
    """Return the ValidationException for a parameter that MemoryExecutor does not support."""
    return invalid(f"The parameter {parameter} is not supported by MemoryExecutor. {advice}")
