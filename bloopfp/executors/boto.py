"""BotoExecutor: sends requests through a real boto3 DynamoDB client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

STREAMS_OPERATIONS = frozenset({"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"})


def _method_name(operation: str) -> str:
    """Return the client method of an API operation: "PutItem" -> "put_item"."""
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


class BotoExecutor:
    """Calls DynamoDB (AWS or any compatible endpoint) through boto3's low-level clients.

    DynamoDB Streams operations go to `streams_client`. When it is not given, it is created on
    first use with the DynamoDB client's endpoint and region and boto3's usual credential chain.
    """

    def __init__(self, client: Any, streams_client: Any | None = None) -> None:
        self.client = client
        self._streams_client = streams_client

    @classmethod
    def connect(
        cls,
        endpoint_url: str | None = None,
        *,
        region_name: str | None = None,
        max_attempts: int | None = None,
        **client_options: Any,
    ) -> BotoExecutor:
        """Create the clients from an endpoint URL; credentials come from boto3's usual chain.

        `max_attempts` sets botocore's own retries; pass 1 when bloopfp's retry policy should be
        the only one.
        """
        if max_attempts is not None:
            client_options["config"] = Config(retries={"max_attempts": max_attempts})
        session = boto3.session.Session(region_name=region_name)
        client = session.client("dynamodb", endpoint_url=endpoint_url, **client_options)
        streams = session.client("dynamodbstreams", endpoint_url=endpoint_url, **client_options)
        return cls(client, streams)

    @property
    def streams_client(self) -> Any:
        if self._streams_client is None:
            meta = self.client.meta
            self._streams_client = boto3.client(
                "dynamodbstreams", endpoint_url=meta.endpoint_url, region_name=meta.region_name
            )
        return self._streams_client

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        client = self.streams_client if operation in STREAMS_OPERATIONS else self.client
        method = getattr(client, _method_name(operation))
        response: dict[str, Any] = method(**params)
        return response
