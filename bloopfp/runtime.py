"""The runtime loop: sends compiled requests through an executor, retries, and translates errors.

This module and `bloopfp.executors` are the only code that performs IO or imports botocore.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from botocore.exceptions import ClientError

from bloopfp import errors
from bloopfp.compiler import Request
from bloopfp.executors.base import Executor
from bloopfp.plans import Paginate

logger = logging.getLogger("bloopfp.runtime")

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
    }
)
SERVER_ERROR_CODES = frozenset({"InternalServerError", "ServiceUnavailable"})


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry throttled and failed-on-the-server requests.

    The delay before retry n (1-based) is drawn uniformly from [0, min(cap, base * 2**(n-1))]
    ("full jitter"). Validation errors and failed conditions are never retried.
    """

    attempts: int = attrs.field(default=8, validator=attrs.validators.ge(1))
    base: float = attrs.field(default=0.05, validator=attrs.validators.ge(0))
    cap: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))

    def delay(self, retry: int, draw: Callable[[], float]) -> float:
        """Return the delay in seconds before retry number `retry` (1-based)."""
        return draw() * min(self.cap, self.base * 2 ** (retry - 1))


NO_RETRIES = RetryPolicy(attempts=1)


@attrs.frozen
class Runtime:
    """Drives requests through one executor. Sleep and randomness are injected for tests."""

    executor: Executor
    retry: RetryPolicy = RetryPolicy()
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = attrs.field(factory=lambda: random.Random().random)

    def execute(self, request: Request) -> dict[str, Any]:
        """Send one request, retrying what the policy allows, and return its response."""
        attempt = 1
        while True:
            try:
                return self.executor.call(request.operation, request.params)
            except ClientError as error:
                if attempt >= self.retry.attempts or not is_retryable(error):
                    raise translate(error, request) from error
                delay = self.retry.delay(attempt, self.random)
                logger.info(
                    "retrying %s on table %s after %s (attempt %d of %d, waiting %.3fs)",
                    request.operation,
                    request.table,
                    error_code(error),
                    attempt,
                    self.retry.attempts,
                    delay,
                )
                self.sleep(delay)
                attempt += 1

    def pages(self, plan: Paginate) -> Iterator[dict[str, Any]]:
        """Yield the response of each page of a Query or Scan, fetching each only when needed."""
        request: Request | None = plan.first
        while request is not None:
            response = self.execute(request)
            yield response
            request = plan.advance(request, response)

    def wait(
        self,
        request: Request,
        ready: Callable[[Mapping[str, Any]], bool],
        *,
        attempts: int = 60,
        delay: float = 1.0,
    ) -> dict[str, Any]:
        """Repeat a request until `ready(response)` holds, raising TimeoutError after `attempts`."""
        for attempt in range(1, attempts + 1):
            response = self.execute(request)
            if ready(response):
                return response
            logger.info("waiting for table %s (check %d of %d)", request.table, attempt, attempts)
            self.sleep(delay)
        raise TimeoutError(
            f"table {request.table} was not ready after {attempts} checks {delay}s apart"
        )


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def is_retryable(error: ClientError) -> bool:
    code = error_code(error)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in THROTTLING_CODES or code in SERVER_ERROR_CODES or int(status) >= 500


def translate(error: ClientError, request: Request) -> errors.ServiceError:
    """Return the bloopfp error for a DynamoDB error response to `request`."""
    code = error_code(error)
    message = str(error.response.get("Error", {}).get("Message", ""))
    response = error.response
    where = f"{request.operation} on table {request.table!r}"
    if code == "ConditionalCheckFailedException":
        return errors.ConditionFailed(
            f"{where} failed its condition for key {_show_key(request.key)}: {message}. "
            "Load the item again and retry, or change the condition",
            operation=request.operation,
            table=request.table,
            key=request.key,
            old=response.get("Item"),  # type: ignore[arg-type]
            response=response,  # type: ignore[arg-type]
        )
    if code == "TransactionCanceledException":
        reasons = tuple(response.get("CancellationReasons", ()))  # type: ignore[arg-type]
        return errors.TransactionCanceled(
            f"{where} was canceled: {message}",
            operation=request.operation,
            reasons=reasons,
            response=response,  # type: ignore[arg-type]
        )
    kind: type[errors.ServiceError] = errors.ServiceError
    if code == "ResourceNotFoundException":
        kind = errors.TableNotFound
    elif code == "ValidationException":
        kind = errors.ValidationError
    elif code in THROTTLING_CODES:
        kind = errors.Throttled
    return kind(
        f"{where} failed with {code}: {message}",
        code=code,
        operation=request.operation,
        table=request.table,
        response=response,  # type: ignore[arg-type]
    )


def _show_key(key: Mapping[str, Any] | None) -> str:
    if key is None:
        return "(unknown)"
    parts = []
    for name, value in key.items():
        (raw,) = value.values()
        parts.append(f"{name}={raw!r}")
    return "{" + ", ".join(parts) + "}"
