"""Measurements: round trips of batch calls against single-item calls, and query memory."""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from bloopfp import Engine, column, model
from bloopfp.executors import BotoExecutor, MemoryExecutor
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.types import Integer, String


@model(table_name="bench_items")
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


@attrs.frozen
class Timing:
    """One way of doing the work: its wall time in seconds and the calls it made."""

    seconds: float
    calls: dict[str, int]


@attrs.frozen
class RoundTrips:
    items: int
    save_many: Timing
    put_each: Timing
    load_many: Timing
    get_each: Timing


def _timed(recorder: RecordingExecutor, work: Callable[[], Any]) -> Timing:
    recorder.reset()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    return Timing(seconds, dict(recorder.counts()))


def measure_round_trips(endpoint: str, count: int) -> RoundTrips:
    """Save and load `count` items on moto with batches and with one call per item."""
    boto = BotoExecutor.connect(
        endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        max_attempts=1,
    )
    recorder = RecordingExecutor(boto, record_params=False)
    engine = Engine(recorder)
    engine.bind(Item, wait_delay=0.1)

    batched = make_items("batched", count)
    single = make_items("single", count)
    save_many = _timed(recorder, lambda: engine.save_many(batched))
    put_each = _timed(recorder, lambda: [engine.save(item) for item in single])
    load_many = _timed(recorder, lambda: engine.load_many(Item, batched))
    get_each = _timed(
        recorder, lambda: [engine.load(Item, group=i.group, number=i.number) for i in single]
    )
    return RoundTrips(count, save_many, put_each, load_many, get_each)


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
