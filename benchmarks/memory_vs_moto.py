"""Compare MemoryExecutor with moto's in-process DynamoDB on the same request dicts.

Two measurements, both run in one process:

1. Throughput: a fixed mix of PutItem, GetItem, Query and UpdateItem requests on a table with a
   global secondary index, sent once through MemoryExecutor and once through a boto3 client inside
   moto's `mock_aws`. It prints operations per second for each and their ratio.
2. Page cost: a table grown to 1,000, 5,000 and 10,000 items, where one hash key contains a
   tenth of the items. At each size it times a Query for one page (Limit=100) of that hash key.

Run it from the repository root with `python -m benchmarks.memory_vs_moto`.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import boto3
import botocore
from botocore import xform_name

from bloopfp.executors.memory import MemoryExecutor

Call = Callable[[str, Mapping[str, Any]], Any]
Request = tuple[str, dict[str, Any]]

TABLE_NAME = "bench"
INDEX_NAME = "by_group"
HASH_KEYS = 10
GROUPS = 8
PAGE_LIMIT = 100
SIZES = (1_000, 5_000, 10_000)

CREATE_TABLE: dict[str, Any] = {
    "TableName": TABLE_NAME,
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "group", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": INDEX_NAME,
            "KeySchema": [
                {"AttributeName": "group", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def item(hash_key: int, range_key: int) -> dict[str, Any]:
    """Return one benchmark item: its keys, a GSI key, a counter and about 100 bytes of text."""
    return {
        "pk": {"S": f"user-{hash_key}"},
        "sk": {"N": str(range_key)},
        "group": {"S": f"group-{range_key % GROUPS}"},
        "count": {"N": "0"},
        "body": {"S": f"payload {hash_key}/{range_key} " + "x" * 80},
    }


def mixed_requests(count: int, seed: int) -> list[Request]:
    """Build a deterministic mix: 40% PutItem, 30% GetItem, 15% Query, 15% UpdateItem."""
    generator = random.Random(seed)
    written: list[tuple[int, int]] = []
    requests: list[Request] = []
    for _ in range(count):
        draw = generator.random()
        if draw < 0.4 or not written:
            keys = (generator.randrange(HASH_KEYS), generator.randrange(1_000_000))
            written.append(keys)
            requests.append(("PutItem", {"TableName": TABLE_NAME, "Item": item(*keys)}))
        elif draw < 0.7:
            key = item(*generator.choice(written))
            params = {"TableName": TABLE_NAME, "Key": {"pk": key["pk"], "sk": key["sk"]}}
            requests.append(("GetItem", params))
        elif draw < 0.85:
            requests.append(("Query", query_request(generator)))
        else:
            key = item(*generator.choice(written))
            params = {
                "TableName": TABLE_NAME,
                "Key": {"pk": key["pk"], "sk": key["sk"]},
                "UpdateExpression": "SET #count = #count + :one",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
                "ReturnValues": "UPDATED_NEW",
            }
            requests.append(("UpdateItem", params))
    return requests


def query_request(generator: random.Random) -> dict[str, Any]:
    """Return a Query of one hash key of the table or of the GSI, at most 25 items."""
    if generator.random() < 0.5:
        return {
            "TableName": TABLE_NAME,
            "KeyConditionExpression": "#pk = :pk AND #sk >= :low",
            "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk"},
            "ExpressionAttributeValues": {
                ":pk": {"S": f"user-{generator.randrange(HASH_KEYS)}"},
                ":low": {"N": str(generator.randrange(1_000_000))},
            },
            "Limit": 25,
        }
    return {
        "TableName": TABLE_NAME,
        "IndexName": INDEX_NAME,
        "KeyConditionExpression": "#group = :group",
        "ExpressionAttributeNames": {"#group": "group"},
        "ExpressionAttributeValues": {":group": {"S": f"group-{generator.randrange(GROUPS)}"}},
        "Limit": 25,
        "ScanIndexForward": False,
    }


def page_request() -> dict[str, Any]:
    """Return the Query of one page (Limit=100) of the hash key `user-0`."""
    return {
        "TableName": TABLE_NAME,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": "pk"},
        "ExpressionAttributeValues": {":pk": {"S": "user-0"}},
        "Limit": PAGE_LIMIT,
    }


@contextmanager
def moto_call() -> Iterator[Call]:
    """Yield a function that sends one request through a boto3 client inside moto's mock_aws."""
    from moto import mock_aws

    with mock_aws():
        # Dummy credentials, so that boto3 never looks for real ones.
        client = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

        def call(operation: str, params: Mapping[str, Any]) -> Any:
            return getattr(client, xform_name(operation))(**params)

        yield call


@contextmanager
def memory_call() -> Iterator[Call]:
    """Yield MemoryExecutor.call of a new executor."""
    yield MemoryExecutor().call


def run_mix(call: Call, requests: Sequence[Request]) -> float:
    """Create the table, send every request, and return operations per second."""
    call("CreateTable", CREATE_TABLE)
    started = time.perf_counter()
    for operation, params in requests:
        call(operation, params)
    elapsed = time.perf_counter() - started
    return len(requests) / elapsed


def page_costs(call: Call, repeats: int) -> dict[int, float]:
    """Grow the table through SIZES and return the median seconds of one page at each size."""
    call("CreateTable", CREATE_TABLE)
    costs: dict[int, float] = {}
    stored = 0
    for size in SIZES:
        while stored < size:
            # Items are spread round robin, so user-0 contains a tenth of the table.
            call("PutItem", {"TableName": TABLE_NAME, "Item": item(stored % HASH_KEYS, stored)})
            stored += 1
        request = page_request()
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = call("Query", request)
            timings.append(time.perf_counter() - started)
        assert response["Count"] == PAGE_LIMIT, response["Count"]
        costs[size] = statistics.median(timings)
    return costs


def machine() -> str:
    """Describe the machine and versions this run measured."""
    import moto

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"moto {moto.__version__}, boto3 {boto3.__version__}, botocore {botocore.__version__}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run both measurements and print their results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2_000, help="requests in the mix")
    parser.add_argument("--seed", type=int, default=7, help="seed of the request mix")
    parser.add_argument(
        "--repeats", type=int, default=50, help="timed queries per table size and backend"
    )
    options = parser.parse_args(argv)

    print(machine())
    requests = mixed_requests(options.operations, options.seed)
    with memory_call() as call:
        memory_rate = run_mix(call, requests)
    with moto_call() as call:
        moto_rate = run_mix(call, requests)
    print(f"\nMixed workload: {len(requests)} requests (PutItem, GetItem, Query, UpdateItem)")
    print(f"  MemoryExecutor {memory_rate:>10,.0f} operations/s")
    print(f"  moto mock_aws  {moto_rate:>10,.0f} operations/s")
    print(f"  MemoryExecutor is {memory_rate / moto_rate:.1f}x faster")

    with memory_call() as call:
        memory_pages = page_costs(call, options.repeats)
    with moto_call() as call:
        moto_pages = page_costs(call, options.repeats)
    print(f"\nOne Query page (Limit={PAGE_LIMIT}) of the hash key with a tenth of the table:")
    print(f"  {'items':>7} {'MemoryExecutor':>16} {'moto mock_aws':>15}")
    for size in SIZES:
        memory_ms = memory_pages[size] * 1000
        moto_ms = moto_pages[size] * 1000
        print(f"  {size:>7,} {memory_ms:>13.3f} ms {moto_ms:>12.3f} ms")


if __name__ == "__main__":
    main()
