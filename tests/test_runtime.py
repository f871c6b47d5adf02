"""The runtime: retry policy, backoff, logging, batch retries and its thread helpers."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bloopfp import errors
from bloopfp.compiler import Request
from bloopfp.executors.recording import throttling_error
from bloopfp.runtime import NO_RETRIES, RetryPolicy, Runtime, is_retryable


def client_error(code: str, status: int = 400, **extra: Any) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} message"},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, "PutItem")


class ScriptedExecutor:
    """Raises or returns the scripted outcomes in order, recording each call."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        self.calls.append((operation, dict(params)))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome)


SECRET = "do-not-log-this-value"
PUT = Request(
    "PutItem",
    {"TableName": "people", "Item": {"id": {"S": SECRET}}},
    table="people",
    key={"id": {"S": SECRET}},
)


def make_runtime(executor: Any, *, attempts: int = 4) -> tuple[Runtime, list[float]]:
    slept: list[float] = []
    runtime = Runtime(
        executor,
        retry=RetryPolicy(attempts=attempts, base=0.1, cap=1.0),
        sleep=slept.append,
        random=lambda: 1.0,
    )
    return runtime, slept


def test_policy_delay_full_jitter_bounds() -> None:
    policy = RetryPolicy(base=0.1, cap=1.0)
    assert policy.delay(1, lambda: 1.0) == pytest.approx(0.1)
    assert policy.delay(3, lambda: 1.0) == pytest.approx(0.4)
    assert policy.delay(10, lambda: 1.0) == pytest.approx(1.0)
    assert policy.delay(3, lambda: 0.0) == 0.0
    assert policy.delay(3, lambda: 0.5) == pytest.approx(0.2)


def test_policy_rejects_zero_attempts() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [
        ("ProvisionedThroughputExceededException", 400, True),
        ("ThrottlingException", 400, True),
        ("RequestLimitExceeded", 400, True),
        ("InternalServerError", 500, True),
        ("ServiceUnavailable", 503, True),
        ("SomethingNew", 502, True),
        ("TransactionInProgressException", 400, True),
        ("ValidationException", 400, False),
        ("ConditionalCheckFailedException", 400, False),
        ("TransactionCanceledException", 400, False),
        ("ResourceNotFoundException", 400, False),
    ],
)
def test_retryable_codes(code: str, status: int, retryable: bool) -> None:
    assert is_retryable(client_error(code, status)) is retryable


def test_execute_retries_throttling_then_succeeds() -> None:
    executor = ScriptedExecutor(
        client_error("ThrottlingException"), client_error("InternalServerError", 500), {}
    )
    runtime, slept = make_runtime(executor)
    assert runtime.execute(PUT) == {}
    assert len(executor.calls) == 3
    assert slept == [pytest.approx(0.1), pytest.approx(0.2)]


def test_execute_gives_up_after_attempts() -> None:
    executor = ScriptedExecutor(*[client_error("ThrottlingException")] * 4)
    runtime, slept = make_runtime(executor, attempts=4)
    with pytest.raises(errors.Throttled) as raised:
        runtime.execute(PUT)
    assert len(executor.calls) == 4
    assert len(slept) == 3
    assert raised.value.table == "people"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ValidationException", errors.ValidationError),
        ("ConditionalCheckFailedException", errors.ConditionFailed),
    ],
)
def test_execute_never_retries_client_faults(code: str, kind: type[Exception]) -> None:
    executor = ScriptedExecutor(client_error(code), {})
    runtime, slept = make_runtime(executor)
    with pytest.raises(kind):
        runtime.execute(PUT)
    assert len(executor.calls) == 1
    assert slept == []


def test_retry_log_names_operation_table_attempt(caplog: pytest.LogCaptureFixture) -> None:
    executor = ScriptedExecutor(client_error("ThrottlingException"), {})
    runtime, _ = make_runtime(executor)
    with caplog.at_level(logging.INFO, logger="bloopfp.runtime"):
        runtime.execute(PUT)
    (record,) = [r for r in caplog.records if r.name == "bloopfp.runtime"]
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "PutItem" in message
    assert "people" in message
    assert "attempt 1 of 4" in message
    assert "ThrottlingException" in message
    assert SECRET not in message


def test_no_retries_policy_sends_once() -> None:
    executor = ScriptedExecutor(client_error("ThrottlingException"))
    runtime = Runtime(executor, retry=NO_RETRIES, sleep=lambda _: None)
    with pytest.raises(errors.Throttled):
        runtime.execute(PUT)
    assert len(executor.calls) == 1


# Batch retries.

BATCH = Request("BatchWriteItem", {"RequestItems": {"t": ["a", "b", "c"]}}, table="t")


def follow(request: Request, response: Any) -> Request | None:
    left = response.get("Left")
    if not left:
        return None
    return Request("BatchWriteItem", {"RequestItems": {"t": left}}, table="t")


def test_run_batch_follows_unprocessed() -> None:
    executor = ScriptedExecutor({"Left": ["b", "c"]}, {"Left": ["c"]}, {})
    runtime, slept = make_runtime(executor)
    run = runtime.run_batch(BATCH, follow)
    assert run.unfinished is None
    assert run.attempts == 3
    assert [params["RequestItems"]["t"] for _, params in executor.calls] == [
        ["a", "b", "c"],
        ["b", "c"],
        ["c"],
    ]
    assert slept == [pytest.approx(0.1), pytest.approx(0.2)]


def test_run_batch_counts_throttles_as_attempts() -> None:
    executor = ScriptedExecutor(
        throttling_error("BatchWriteItem"), {"Left": ["c"]}, throttling_error("BatchWriteItem")
    )
    runtime, _ = make_runtime(executor, attempts=3)
    run = runtime.run_batch(BATCH, follow)
    assert run.attempts == 3
    assert run.unfinished is not None
    assert run.unfinished.params["RequestItems"] == {"t": ["c"]}
    assert len(run.responses) == 1


def test_run_batch_raises_validation() -> None:
    executor = ScriptedExecutor(client_error("ValidationException"))
    runtime, _ = make_runtime(executor)
    with pytest.raises(errors.ValidationError):
        runtime.run_batch(BATCH, follow)


def test_run_batch_logs_unprocessed_retry(caplog: pytest.LogCaptureFixture) -> None:
    executor = ScriptedExecutor({"Left": ["c"]}, {})
    runtime, _ = make_runtime(executor)
    with caplog.at_level(logging.INFO, logger="bloopfp.runtime"):
        runtime.run_batch(BATCH, follow)
    messages = [r.getMessage() for r in caplog.records if r.name == "bloopfp.runtime"]
    assert len(messages) == 1
    assert "BatchWriteItem on table t after unprocessed requests (attempt 1 of 4" in messages[0]


# Threads.


def test_map_keeps_order_and_uses_threads() -> None:
    runtime = Runtime(ScriptedExecutor())
    names: set[str] = set()

    def square(value: int) -> int:
        names.add(threading.current_thread().name)
        time.sleep(0.01)
        return value * value

    assert runtime.map(square, range(8), concurrency=4) == [v * v for v in range(8)]
    assert len(names) > 1


def test_map_raises_first_error_after_all_finish() -> None:
    runtime = Runtime(ScriptedExecutor())
    finished: list[int] = []

    def work(value: int) -> int:
        if value in (2, 5):
            raise ValueError(f"bad {value}")
        finished.append(value)
        return value

    with pytest.raises(ValueError, match="bad 2"):
        runtime.map(work, range(8), concurrency=3)
    assert sorted(finished) == [0, 1, 3, 4, 6, 7]


def test_merge_keeps_each_source_order() -> None:
    runtime = Runtime(ScriptedExecutor())
    sources = [lambda i=i: iter(range(i * 100, i * 100 + 50)) for i in range(3)]
    merged = list(runtime.merge(sources, buffer=4))
    assert len(merged) == 150
    for index in range(3):
        values = [value for source, value in merged if source == index]
        assert values == list(range(index * 100, index * 100 + 50))


def test_merge_raises_source_error() -> None:
    runtime = Runtime(ScriptedExecutor())

    def failing() -> Any:
        yield 1
        raise RuntimeError("segment failed")

    with pytest.raises(RuntimeError, match="segment failed"):
        list(runtime.merge([failing, lambda: iter(range(3))]))


def test_merge_stops_threads_when_closed() -> None:
    runtime = Runtime(ScriptedExecutor())
    before = threading.active_count()
    merged = runtime.merge([lambda: iter(range(10**9)) for _ in range(2)], buffer=2)
    assert next(merged)[1] == 0
    merged.close()
    assert threading.active_count() == before
