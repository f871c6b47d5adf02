"""Measurements: round trips of bloopfp and hand-written boto3 calls, and query memory."""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
from boto3.dynamodb.types import TypeDeserializer

from bloopfp import Engine, column, model
from bloopfp.executors import BotoExecutor, MemoryExecutor
from bloopfp.types import Integer, String

TABLE_NAME = "bench_items"


@model(table_name=TABLE_NAME)
class Item:
    group: str = column(String, hash_key=True)
    number: int = column(Integer, range_key=True)
    label: str | None = column(String)
    amount: int | None = column(Integer)


def make_items(group: str, count: int) -> list[Item]:
    return [Item(group=group, number=i, label=f"item {i}", amount=i * 7) for i in range(count)]


# Environment.


def machine() -> dict[str, str]:
    """Describe the machine: CPU count, CPU model and Python version."""
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu_model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run moto_server on a free port of 127.0.0.1 and yield its endpoint URL."""
    port = _free_port()
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if executable is None:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    else:
        command = [executable, "-H", "127.0.0.1", "-p", str(port)]
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(endpoint, process)
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(endpoint: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start on {endpoint}") from None
            time.sleep(0.1)


# Round trips.
#
# Four variants do the same save and load work against one moto server and one boto3 client:
# bloopfp's batch calls, the same batches written by hand with the boto3 low-level client, and
# one call per item through each of them. Each variant and run writes its own group (hash key),
# so no variant reads or overwrites the items of another.

VARIANTS = ("bloopfp batch", "boto3 batch", "bloopfp per item", "boto3 per item")

# The maximum number of requests in one BatchWriteItem and in one BatchGetItem call.
WRITE_CHUNK = 25
GET_CHUNK = 100
# Sends of one chunk, the first included, before the hand-written batches give up on
# unprocessed requests.
MAX_SENDS = 8

_deserializer = TypeDeserializer()


@attrs.frozen
class Run:
    """One timed run of a variant: its API calls by operation, and its times in seconds.

    `cpu_seconds` is the CPU time of the benchmark process, which includes the client's work but
    not moto_server's, since the server runs in a process of its own.
    """

    seconds: float
    cpu_seconds: float
    calls: dict[str, int]


@attrs.frozen
class Timing:
    """The timed runs of one variant of one work ("save" or "load")."""

    work: str
    variant: str
    runs: tuple[Run, ...]

    @property
    def seconds(self) -> float:
        """Median wall time of the runs, in seconds."""
        return statistics.median(run.seconds for run in self.runs)

    @property
    def cpu_seconds(self) -> float:
        """Median CPU time of the benchmark process in the runs, in seconds."""
        return statistics.median(run.cpu_seconds for run in self.runs)


@attrs.frozen
class RoundTrips:
    items: int
    repeats: int
    timings: tuple[Timing, ...]

    def timing(self, work: str, variant: str) -> Timing:
        return next(t for t in self.timings if t.work == work and t.variant == variant)


class CallCounter:
    """Counter of a boto3 client's API calls by operation, fed by botocore's before-call event.

    The event fires once per client method call, so a resent batch counts again, but botocore's
    own retries within one call do not (the benchmark turns them off).
    """

    def __init__(self, client: Any) -> None:
        self.counts: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model: Any, **kwargs: Any) -> None:
        self.counts[model.name] += 1


def measure_round_trips(endpoint: str, count: int, repeats: int = 3) -> RoundTrips:
    """Save and load `count` items on moto in each variant, `repeats` times, checking each run.

    The variants take turns within each repetition, and each repetition starts with a different
    variant, so a slow spell of the machine is spread over all of them. Every save run writes a
    new group, and every load run reads the group that the first save run of the same variant
    wrote.
    """
    executor = BotoExecutor.connect(
        endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        max_attempts=1,
    )
    client = executor.client
    engine = Engine(executor)
    engine.bind(Item, wait_delay=0.1)
    counter = CallCounter(client)

    saves: dict[str, Callable[[list[Item]], Any]] = {
        "bloopfp batch": engine.save_many,
        "boto3 batch": lambda items: boto3_batch_write(client, items),
        "bloopfp per item": lambda items: [engine.save(item) for item in items],
        "boto3 per item": lambda items: boto3_put_each(client, items),
    }
    loads: dict[str, Callable[[list[Item]], list[Any]]] = {
        "bloopfp batch": lambda items: engine.load_many(Item, items),
        "boto3 batch": lambda items: boto3_batch_get(client, items),
        "bloopfp per item": lambda items: [
            engine.load(Item, group=item.group, number=item.number) for item in items
        ],
        "boto3 per item": lambda items: boto3_get_each(client, items),
    }

    save_runs: dict[str, list[Run]] = {variant: [] for variant in VARIANTS}
    for repeat in range(repeats):
        for variant in _rotated(VARIANTS, repeat):
            items = make_items(_group(variant, repeat), count)
            run, _ = _timed(counter, saves[variant], items)
            _check_items(f"save by {variant}", items, _stored_rows(client, items[0].group))
            save_runs[variant].append(run)

    load_runs: dict[str, list[Run]] = {variant: [] for variant in VARIANTS}
    for repeat in range(repeats):
        for variant in _rotated(VARIANTS, repeat):
            items = make_items(_group(variant, 0), count)
            run, loaded = _timed(counter, loads[variant], items)
            _check_items(f"load by {variant}", items, loaded)
            load_runs[variant].append(run)

    timings = [Timing("save", v, tuple(save_runs[v])) for v in VARIANTS]
    timings += [Timing("load", v, tuple(load_runs[v])) for v in VARIANTS]
    return RoundTrips(count, repeats, tuple(timings))


def _rotated(variants: tuple[str, ...], shift: int) -> tuple[str, ...]:
    shift %= len(variants)
    return variants[shift:] + variants[:shift]


def _group(variant: str, repeat: int) -> str:
    return f"{variant.replace(' ', '-')}-{repeat}"


def _timed(
    counter: CallCounter, work: Callable[[list[Item]], Any], items: list[Item]
) -> tuple[Run, Any]:
    """Run `work(items)` once and return its Run and its result."""
    gc.collect()
    counter.counts.clear()
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = work(items)
    cpu_seconds = time.process_time() - cpu_started
    seconds = time.perf_counter() - started
    return Run(seconds, cpu_seconds, dict(counter.counts)), result


# Hand-written boto3 code, as a user of the low-level client would write it without bloopfp.


def _item_values(item: Item) -> dict[str, Any]:
    """Build the AttributeValue map of an item, leaving out None attributes as bloopfp does."""
    values: dict[str, Any] = {"group": {"S": item.group}, "number": {"N": str(item.number)}}
    if item.label is not None:
        values["label"] = {"S": item.label}
    if item.amount is not None:
        values["amount"] = {"N": str(item.amount)}
    return values


def _key_values(item: Item) -> dict[str, Any]:
    return {"group": {"S": item.group}, "number": {"N": str(item.number)}}


def _python_values(values: dict[str, Any]) -> dict[str, Any]:
    """Convert an AttributeValue map to Python values, with numbers as Decimal."""
    return {name: _deserializer.deserialize(value) for name, value in values.items()}


def _wait_before_resend(operation: str, sends: int, unprocessed: int) -> None:
    """Sleep with exponential backoff before a resend, or raise once MAX_SENDS are used up."""
    if sends >= MAX_SENDS:
        raise RuntimeError(
            f"{operation} left {unprocessed} requests unprocessed after {sends} sends. "
            "Retry later or lower the request rate."
        )
    time.sleep(min(0.05 * 2**sends, 1.0))


def boto3_batch_write(client: Any, items: list[Item]) -> None:
    """Put the items with BatchWriteItem, 25 a call, resending UnprocessedItems until none is left.

    NOTE: moto_server processes every request, so the benchmark never runs the resend path.
    """
    for start in range(0, len(items), WRITE_CHUNK):
        chunk = items[start : start + WRITE_CHUNK]
        request = {TABLE_NAME: [{"PutRequest": {"Item": _item_values(item)}} for item in chunk]}
        sends = 0
        while request:
            if sends:
                _wait_before_resend("BatchWriteItem", sends, len(request[TABLE_NAME]))
            response = client.batch_write_item(RequestItems=request)
            sends += 1
            request = response.get("UnprocessedItems") or {}


def boto3_batch_get(client: Any, items: list[Item]) -> list[dict[str, Any]]:
    """Get the items with BatchGetItem, 100 keys a call, resending UnprocessedKeys until none is
    left, and return them as Python values in the order the responses list them.

    NOTE: moto_server processes every key, so the benchmark never runs the resend path.
    """
    loaded = []
    for start in range(0, len(items), GET_CHUNK):
        chunk = items[start : start + GET_CHUNK]
        request = {TABLE_NAME: {"Keys": [_key_values(item) for item in chunk]}}
        sends = 0
        while request:
            if sends:
                _wait_before_resend("BatchGetItem", sends, len(request[TABLE_NAME]["Keys"]))
            response = client.batch_get_item(RequestItems=request)
            sends += 1
            loaded += [_python_values(values) for values in response["Responses"][TABLE_NAME]]
            request = response.get("UnprocessedKeys") or {}
    return loaded


def boto3_put_each(client: Any, items: list[Item]) -> None:
    for item in items:
        client.put_item(TableName=TABLE_NAME, Item=_item_values(item))


def boto3_get_each(client: Any, items: list[Item]) -> list[dict[str, Any]]:
    """Get the items with one GetItem call each, leaving out keys with no stored item."""
    loaded = []
    for item in items:
        response = client.get_item(TableName=TABLE_NAME, Key=_key_values(item))
        if "Item" in response:
            loaded.append(_python_values(response["Item"]))
    return loaded


# Checks, run after each timed run and outside its timing.


def _stored_rows(client: Any, group: str) -> list[dict[str, Any]]:
    """Query every item of `group` with the plain client and return them as Python values."""
    pages = client.get_paginator("query").paginate(
        TableName=TABLE_NAME,
        KeyConditionExpression="#group = :group",
        ExpressionAttributeNames={"#group": "group"},
        ExpressionAttributeValues={":group": {"S": group}},
        ConsistentRead=True,
    )
    return [_python_values(values) for page in pages for values in page["Items"]]


def _check_items(what: str, expected: list[Item], found: list[Any]) -> None:
    """Raise RuntimeError unless `found` contains exactly the `expected` items, in any order.

    `found` may contain Item records or dicts of Python values. Decimal numbers compare equal to
    the expected ints.
    """
    if len(found) != len(expected):
        raise RuntimeError(f"{what}: expected {len(expected)} items, found {len(found)}")
    rows = sorted((_row(value) for value in found), key=lambda row: row["number"])
    for want, got in zip((attrs.asdict(item) for item in expected), rows, strict=True):
        if want != got:
            raise RuntimeError(f"{what}: expected {want}, found {got}")


def _row(value: Item | dict[str, Any]) -> dict[str, Any]:
    """Return the attributes of an item as a dict, with None for attributes not stored."""
    if isinstance(value, Item):
        return attrs.asdict(value)
    return {field.name: value.get(field.name) for field in attrs.fields(Item)}


# Memory.


@attrs.frozen
class Memory:
    items: int
    page_size: int
    iterate_peak: int
    checkpoints: tuple[tuple[int, int], ...]
    all_peak: int
    seconds: float


def measure_memory(count: int, page_size: int = 1000) -> Memory:
    """Iterate a Query over `count` items on MemoryExecutor and record the peak memory."""
    engine = Engine(MemoryExecutor())
    engine.bind(Item)
    engine.save_many(make_items("large", count), concurrency=1)
    results = engine.query(Item, Item.group == "large", page_size=page_size)

    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    checkpoints = []
    seen = 0
    step = max(count // 5, 1)
    for _ in results:
        seen += 1
        if seen % step == 0:
            checkpoints.append((seen, tracemalloc.get_traced_memory()[1] - base))
    iterate_peak = tracemalloc.get_traced_memory()[1] - base
    seconds = time.perf_counter() - started

    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    everything = results.all()
    all_peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    if seen != count or len(everything) != count:
        raise RuntimeError(f"expected {count} items, iterated {seen} and loaded {len(everything)}")
    return Memory(count, page_size, iterate_peak, tuple(checkpoints), all_peak, seconds)
