"""Injected faults: throttling, internal server errors and partly processed batches.

`MemoryExecutor(faults=Faults(seed=7, throttle=0.1, partial_batch=0.5))` makes the executor
fail some calls the way DynamoDB does under load, so retry and batch-resubmission code can be
tested without AWS. Every decision comes from one `random.Random(seed)` that the executor owns, so
the same seed and the same sequence of calls give the same faults.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import attrs

from bloopfp.executors.memory.errors import RequestRejected

READ_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
DATA_OPERATIONS = READ_OPERATIONS | WRITE_OPERATIONS


def _check_rate(instance: Any, attribute: attrs.Attribute[float], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"Faults.{attribute.name} must be a float between 0 and 1, "
            f"not {value!r} of type {type(value).__name__}"
        )
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"Faults.{attribute.name} must be between 0 and 1, not {value!r}")


def _check_operations(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    unknown = sorted(set(value) - DATA_OPERATIONS)
    if unknown:
        allowed = ", ".join(sorted(DATA_OPERATIONS))
        raise ValueError(
            f"Faults.operations contains {', '.join(unknown)}, which are not item operations. "
            f"Choose from: {allowed}"
        )


@attrs.frozen
class Faults:
    """How often MemoryExecutor fails a call, as probabilities from 0 to 1.

    - `throttle`: the call raises ProvisionedThroughputExceededException (HTTP 400).
    - `internal_error`: the call raises InternalServerError (HTTP 500).
    - `partial_batch`: a BatchWriteItem or BatchGetItem of two or more requests applies a strict,
      non-empty subset of them and returns the others in UnprocessedItems or UnprocessedKeys.

    A throttled or failed call changes nothing. Faults apply only to the item operations named in
    `operations` (by default every read, write, batch and transaction) on existing tables, and
    only after the request has passed validation against the service model. Checks that need
    the table, such as key types and expressions, run after the draw, so a throttled request may
    also be one that those checks would reject.
    """

    seed: int = 0
    throttle: float = attrs.field(default=0.0, validator=_check_rate)
    internal_error: float = attrs.field(default=0.0, validator=_check_rate)
    partial_batch: float = attrs.field(default=0.0, validator=_check_rate)
    operations: frozenset[str] = attrs.field(
        default=DATA_OPERATIONS, converter=frozenset, validator=_check_operations
    )


class FaultInjector:
    """Draws the faults of each call from the executor's own seeded random generator."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.random = random.Random(faults.seed)

    def draw_error(self, operation: str) -> str | None:
        """Return "throttle", "internal_error" or None for one call of `operation`.

        The generator is only advanced for the rates above zero, so a Faults() with every rate
        at zero never changes what a call does.
        """
        if operation not in self.faults.operations:
            return None
        if self.faults.throttle and self.random.random() < self.faults.throttle:
            return "throttle"
        if self.faults.internal_error and self.random.random() < self.faults.internal_error:
            return "internal_error"
        return None

    def unprocessed_positions(self, count: int) -> frozenset[int]:
        """Return which of a batch's `count` requests (in request order) to leave unprocessed.

        The result is empty, or a non-empty strict subset: DynamoDB raises
        ProvisionedThroughputExceededException instead when it can process none of a batch.
        """
        rate = self.faults.partial_batch
        if count < 2 or not rate or self.random.random() >= rate:
            return frozenset()
        unprocessed = self.random.randint(1, count - 1)
        return frozenset(self.random.sample(range(count), unprocessed))


def throttled(operation: str, tables: Mapping[str, Any]) -> RequestRejected:
    """Return the ProvisionedThroughputExceededException for a call on `tables` (name -> Table).

    ThrottlingReasons names each table with a reason of the form Table + Read or Write + limit:
    ProvisionedThroughputExceeded for a provisioned table, KeyRangeThroughputExceeded (a hot
    partition) for an on-demand one.
    """
    kind = "Write" if operation in WRITE_OPERATIONS else "Read"
    reasons = []
    for table in tables.values():
        limit = (
            "ProvisionedThroughputExceeded"
            if table.billing_mode == "PROVISIONED"
            else "KeyRangeThroughputExceeded"
        )
        reasons.append({"reason": f"Table{kind}{limit}", "resource": table.arn})
    # NOTE: the message is the one DynamoDB sends for provisioned tables. On-demand tables may
    # be throttled with different wording.
    message = (
        "The level of configured provisioned throughput for the table was exceeded. Consider "
        "increasing your provisioning level with the UpdateTable API."
    )
    return RequestRejected(
        "ProvisionedThroughputExceededException",
        message,
        message=message,
        ThrottlingReasons=reasons,
    )


def internal_error() -> RequestRejected:
    """Return the InternalServerError, which botocore receives with HTTP status 500."""
    message = "Internal server error"
    return RequestRejected("InternalServerError", message, http_status=500, message=message)
