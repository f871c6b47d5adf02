"""The runtime loop: sends compiled requests through an executor, retries, and translates errors.

This module and `bloopfp.executors` are the only code that performs IO or imports botocore.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import attrs
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from bloopfp import errors
from bloopfp.compiler import Request
from bloopfp.executors.base import Executor
from bloopfp.plans import Paginate

logger = logging.getLogger("bloopfp.runtime")

T = TypeVar("T")
U = TypeVar("U")

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
    }
)
SERVER_ERROR_CODES = frozenset({"InternalServerError", "ServiceUnavailable"})
# DynamoDB returns this while a TransactWriteItems call with the same ClientRequestToken is still
# running. Sending the same request again is safe because DynamoDB applies a token at most once
# within 10 minutes (API reference of TransactWriteItems, ClientRequestToken).
IN_PROGRESS_CODES = frozenset({"TransactionInProgressException"})
# Failures to reach the endpoint or to read its response: EndpointConnectionError and
# ConnectTimeoutError derive from botocore's ConnectionError, ReadTimeoutError and
# ConnectionClosedError from HTTPClientError.
CONNECTION_ERRORS = (BotocoreConnectionError, HTTPClientError)
# Threads that read the segments of a parallel scan when the caller does not choose.
DEFAULT_SCAN_WORKERS = 16


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry throttled, failed-on-the-server and unsent requests.

    The delay before retry n (1-based) is drawn uniformly from [0, min(cap, base * 2**(n-1))]
    ("full jitter"). Validation errors and failed conditions are never retried. Connection
    errors and read timeouts are retried, as boto3's legacy and standard retry modes do (boto3
    guide "Retries").

    NOTE: after a read timeout or a closed connection the first request may still have been
    applied, so a retried UpdateItem that ADDs to a counter can count twice. Writes guarded by a
    condition (version columns) and transactions with a ClientRequestToken are not affected.
    """

    attempts: int = attrs.field(default=8, validator=attrs.validators.ge(1))
    base: float = attrs.field(default=0.05, validator=attrs.validators.ge(0))
    cap: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))

    def delay(self, retry: int, draw: Callable[[], float]) -> float:
        """Return the delay in seconds before retry number `retry` (1-based)."""
        return draw() * min(self.cap, self.base * 2.0 ** (retry - 1))


NO_RETRIES = RetryPolicy(attempts=1)

_VALUE, _DONE, _FAILED = 0, 1, 2


@attrs.frozen
class BatchRun:
    """The outcome of a batch request: its responses, and the request left unfinished, if any."""

    responses: tuple[dict[str, Any], ...]
    unfinished: Request | None
    attempts: int


@attrs.frozen
class Runtime:
    """Drives requests through one executor. Sleep and randomness are injected for tests."""

    executor: Executor
    retry: RetryPolicy = RetryPolicy()
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = attrs.field(factory=lambda: random.Random().random)
    new_token: Callable[[], str] = attrs.field(default=lambda: str(uuid.uuid4()))

    def execute(self, request: Request) -> dict[str, Any]:
        """Send one request, retrying what the policy allows, and return its response."""
        attempt = 1
        while True:
            try:
                return self._call(request, attempt)
            except ClientError as error:
                if attempt >= self.retry.attempts or not is_retryable(error):
                    raise translate(error, request) from error
                reason = error_code(error)
            except errors.ConnectionFailed as error:
                if attempt >= self.retry.attempts:
                    raise
                reason = error.reason
            self._back_off(request, reason, attempt)
            attempt += 1

    def _call(self, request: Request, attempt: int) -> dict[str, Any]:
        """Send a request once, translating botocore's failures that are not ClientErrors.

        ClientError is left for the caller, which decides on retries.
        """
        try:
            return self.executor.call(request.operation, request.params)
        except ParamValidationError as error:
            raise errors.InvalidParameters(
                f"{request.operation} on table {request.table!r} has invalid parameters, so "
                f"botocore did not send it: {error}",
                operation=request.operation,
                table=request.table,
            ) from error
        except CONNECTION_ERRORS as error:
            raise connection_failed(error, request, attempt) from error

    def run_batch(
        self, request: Request, follow: Callable[[Request, Mapping[str, Any]], Request | None]
    ) -> BatchRun:
        """Send a batch request and then what `follow` returns as left, until nothing is left.

        `follow(request, response)` returns the request for the unprocessed part of `request`,
        or None. A throttled call and a response with unprocessed requests each use one attempt
        of the retry policy, with the same backoff. When the attempts run out, the returned
        BatchRun's `unfinished` is the request that was not completed. That includes a last
        attempt that failed to connect: a batch put or delete is safe to send again, so the
        caller can treat it as not done. Errors that are not retryable are raised translated.
        Earlier responses of this batch may have applied.
        """
        responses: list[dict[str, Any]] = []
        attempt = 1
        while True:
            try:
                response = self._call(request, attempt)
            except ClientError as error:
                if not is_retryable(error):
                    raise translate(error, request) from error
                reason = error_code(error)
            except errors.ConnectionFailed as error:
                reason = error.reason
            else:
                responses.append(response)
                remaining = follow(request, response)
                if remaining is None:
                    return BatchRun(tuple(responses), None, attempt)
                request = remaining
                reason = "unprocessed requests"
            if attempt >= self.retry.attempts:
                return BatchRun(tuple(responses), request, attempt)
            self._back_off(request, reason, attempt)
            attempt += 1

    def _back_off(self, request: Request, reason: str, attempt: int) -> None:
        delay = self.retry.delay(attempt, self.random)
        logger.info(
            "retrying %s on table %s after %s (attempt %d of %d, waiting %.3fs)",
            request.operation,
            request.table,
            reason,
            attempt,
            self.retry.attempts,
            delay,
        )
        self.sleep(delay)

    def map(
        self, function: Callable[[T], U], values: Iterable[T], *, concurrency: int = 1
    ) -> list[U]:
        """Return `[function(v) for v in values]`, calling it from up to `concurrency` threads.

        Every call finishes before this returns. When calls raise, the first error in the order
        of `values` is raised after all calls have finished.
        """
        if concurrency <= 1:
            return [function(value) for value in values]
        with ThreadPoolExecutor(concurrency, thread_name_prefix="bloopfp-batch") as pool:
            futures = [pool.submit(function, value) for value in values]
        for future in futures:
            error = future.exception()
            if error is not None:
                raise error
        return [future.result() for future in futures]

    def merge(
        self,
        sources: Sequence[Callable[[], Iterable[T]]],
        *,
        buffer: int = 1024,
        workers: int = DEFAULT_SCAN_WORKERS,
    ) -> Iterator[tuple[int, T]]:
        """Yield `(i, value)` for the values of every source, reading sources from worker threads.

        At most `workers` threads run. Each takes the next source not yet started and reads it to
        its end before taking another, so sources start in order. Values of one source keep their
        order, and at most `buffer` values wait in memory. When a source raises, the error is
        raised here. Closing the iterator early stops the threads after the call each is making.
        """
        waiting: queue.Queue[tuple[int, int, Any]] = queue.Queue(maxsize=buffer)
        stop = threading.Event()
        claim = threading.Lock()
        next_source = [0]

        def put(entry: tuple[int, int, Any]) -> bool:
            while not stop.is_set():
                try:
                    waiting.put(entry, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def take() -> int | None:
            with claim:
                index = next_source[0]
                if stop.is_set() or index >= len(sources):
                    return None
                next_source[0] = index + 1
                return index

        def produce(index: int) -> bool:
            try:
                for value in sources[index]():
                    if not put((index, _VALUE, value)):
                        return False
                return put((index, _DONE, None))
            except Exception as error:
                # The consuming thread raises it.
                put((index, _FAILED, error))
                return False

        def work() -> None:
            while (index := take()) is not None:
                if not produce(index):
                    return

        count = max(1, min(workers, len(sources)))
        threads = [
            threading.Thread(target=work, name=f"bloopfp-reader-{i}", daemon=True)
            for i in range(count)
        ]
        for thread in threads:
            thread.start()
        try:
            running = len(sources)
            while running:
                index, kind, value = waiting.get()
                if kind == _DONE:
                    running -= 1
                elif kind == _FAILED:
                    raise value
                else:
                    yield index, value
        finally:
            stop.set()
            for thread in threads:
                thread.join()

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
    if code in THROTTLING_CODES or code in SERVER_ERROR_CODES or code in IN_PROGRESS_CODES:
        return True
    return int(status) >= 500


def connection_failed(error: Exception, request: Request, attempt: int) -> errors.ConnectionFailed:
    """Return the bloopfp error for a failure to reach the endpoint or to read its response."""
    kwargs = getattr(error, "kwargs", {})
    endpoint = kwargs.get("endpoint_url") if isinstance(kwargs, Mapping) else None
    where = endpoint or "the configured endpoint"
    return errors.ConnectionFailed(
        f"{request.operation} on table {request.table!r} failed to reach DynamoDB at {where} "
        f"(attempt {attempt}): {error}. Check the endpoint URL and the network, or allow more "
        "attempts in the retry policy",
        operation=request.operation,
        table=request.table,
        endpoint=endpoint,
        reason=type(error).__name__,
        attempts=attempt,
    )


def translate(error: ClientError, request: Request) -> errors.ServiceError:
    """Return the bloopfp error for a DynamoDB error response to `request`."""
    code = error_code(error)
    message = str(error.response.get("Error", {}).get("Message", ""))
    response: dict[str, Any] = dict(error.response)
    where = f"{request.operation} on table {request.table!r}"
    if code == "ConditionalCheckFailedException":
        return errors.ConditionFailed(
            f"{where} failed its condition for key {_show_key(request.key)}: {message}. "
            "Load the item again and retry, or change the condition",
            operation=request.operation,
            table=request.table,
            key=request.key,
            old=response.get("Item"),
            response=response,
        )
    if code == "TransactionCanceledException":
        reasons = tuple(response.get("CancellationReasons", ()))
        return errors.TransactionCanceled(
            f"{where} was canceled: {message}",
            operation=request.operation,
            reasons=reasons,
            response=response,
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
        response=response,
    )


def _show_key(key: Mapping[str, Any] | None) -> str:
    if key is None:
        return "(unknown)"
    parts = []
    for name, value in key.items():
        ((code, raw),) = value.items()
        # N values travel as text; show them as the numbers they are.
        parts.append(f"{name}={raw}" if code == "N" else f"{name}={raw!r}")
    return "{" + ", ".join(parts) + "}"
