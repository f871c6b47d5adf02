"""The executor contract: the one place where bloopfp performs IO."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Executor(Protocol):
    """Sends one DynamoDB API call and returns its response.

    `operation` is a DynamoDB API operation name such as "PutItem" or "Query", and `params` and
    the returned dict are exactly those of the low-level boto3 client. Service errors are raised as
    `botocore.exceptions.ClientError` carrying DynamoDB's error code and message.
    """

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]: ...
