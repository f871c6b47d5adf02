"""Executor wrappers for tests and benchmarks: one records calls, one injects faults.

Both wrap any executor (MemoryExecutor, BotoExecutor, or another wrapper) and are safe to call
from several threads.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs
from botocore.exceptions import ClientError

from bloopfp.executors.base import Executor


@attrs.frozen
class Call:
    """One recorded call: the operation name, its params and whether it raised."""

    operation: str
    params: Mapping[str, Any] = attrs.field(repr=False)
    failed: bool = False


class RecordingExecutor:
    """Passes every call to `inner` and records it, for counting round trips.

    `record_params=False` keeps only the operation names, for long runs.
    """

    def __init__(self, inner: Executor, *, record_params: bool = True) -> None:
        self.inner = inner
        self.record_params = record_params
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<RecordingExecutor of {self.inner!r}: {len(self.calls)} calls>"

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        kept = params if self.record_params else {}
        try:
            response = self.inner.call(operation, params)
        except Exception:
            self._record(Call(operation, kept, failed=True))
            raise
        self._record(Call(operation, kept))
        return response

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def count(self, operation: str | None = None) -> int:
        """Return the number of calls of `operation`, or of all calls."""
        with self._lock:
            if operation is None:
                return len(self.calls)
            return sum(1 for call in self.calls if call.operation == operation)

    def counts(self) -> Counter[str]:
        """Return the number of calls of each operation."""
        with self._lock:
            return Counter(call.operation for call in self.calls)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


BATCH_OPERATIONS = frozenset({"BatchWriteItem", "BatchGetItem"})


def throttling_error(operation: str) -> ClientError:
    """Return the ClientError DynamoDB raises when it throttles a request."""
    response: Any = {
        "Error": {
            "Code": "ProvisionedThroughputExceededException",
            "Message": "The level of configured provisioned throughput for the table was "
            "exceeded (injected by FaultInjectingExecutor)",
        },
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return ClientError(response, operation)


class FaultInjectingExecutor:
    """Throttles some calls and processes only part of some batch calls, reproducibly by seed.

    - `throttle_rate`: the fraction of calls (of `operations`, or of all when None) that raise
      ProvisionedThroughputExceededException without reaching `inner`.
    - `partial_rate`: the fraction of the remaining BatchWriteItem and BatchGetItem calls of
      which only a random, non-empty part is sent to `inner`, while the rest comes back as
      UnprocessedItems or UnprocessedKeys, as DynamoDB does under load.

    Decisions come from `random.Random(seed)`, so one seed gives the same faults for the same
    sequence of calls. Calls from several threads arrive in an order that is not reproducible.
    """

    def __init__(
        self,
        inner: Executor,
        *,
        seed: int = 0,
        throttle_rate: float = 0.0,
        partial_rate: float = 0.0,
        operations: frozenset[str] | None = None,
    ) -> None:
        for name, rate in (("throttle_rate", throttle_rate), ("partial_rate", partial_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate!r}")
        self.inner = inner
        self.throttle_rate = throttle_rate
        self.partial_rate = partial_rate
        self.operations = operations
        self.throttled = 0
        self.partial = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"<FaultInjectingExecutor throttle_rate={self.throttle_rate} "
            f"partial_rate={self.partial_rate} of {self.inner!r}>"
        )

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        applies = self.operations is None or operation in self.operations
        with self._lock:
            throttle = applies and self._random.random() < self.throttle_rate
            partial = applies and not throttle and self._random.random() < self.partial_rate
            seed = self._random.getrandbits(64)
            if throttle:
                self.throttled += 1
        if throttle:
            raise throttling_error(operation)
        if partial and operation in BATCH_OPERATIONS:
            return self._partial(operation, params, random.Random(seed))
        return self.inner.call(operation, params)

    def _partial(
        self, operation: str, params: Mapping[str, Any], chooser: random.Random
    ) -> dict[str, Any]:
        entries = _flatten(operation, params["RequestItems"])
        if len(entries) < 2:
            return self.inner.call(operation, params)
        with self._lock:
            self.partial += 1
        held = set(chooser.sample(range(len(entries)), chooser.randint(1, len(entries) - 1)))
        sent = [entry for i, entry in enumerate(entries) if i not in held]
        kept = [entry for i, entry in enumerate(entries) if i in held]
        response = self.inner.call(
            operation, {**params, "RequestItems": _group(operation, params, sent)}
        )
        field = "UnprocessedItems" if operation == "BatchWriteItem" else "UnprocessedKeys"
        return {**response, field: _group(operation, params, kept)}


def _flatten(operation: str, request_items: Mapping[str, Any]) -> list[tuple[str, Any]]:
    if operation == "BatchWriteItem":
        return [(table, write) for table, writes in request_items.items() for write in writes]
    return [(table, key) for table, entry in request_items.items() for key in entry["Keys"]]


def _group(
    operation: str, params: Mapping[str, Any], entries: list[tuple[str, Any]]
) -> dict[str, Any]:
    grouped: dict[str, Any] = {}
    for table, entry in entries:
        if operation == "BatchWriteItem":
            grouped.setdefault(table, []).append(entry)
        else:
            options = {
                name: value
                for name, value in params["RequestItems"][table].items()
                if name != "Keys"
            }
            grouped.setdefault(table, {**options, "Keys": []})["Keys"].append(entry)
    return grouped
