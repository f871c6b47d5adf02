"""Batches, cursors and parallel scans executed on MemoryExecutor and on a moto server."""

from __future__ import annotations

import decimal
import math
from collections import Counter
from typing import Any

import pytest

from bloopfp import Engine, RetryPolicy, errors
from bloopfp.cursors import ParallelCursor
from bloopfp.executors.memory import MemoryExecutor
from bloopfp.executors.recording import FaultInjectingExecutor, RecordingExecutor
from bloopfp.models import GlobalSecondaryIndex, column, model
from bloopfp.types import Binary, Integer, Number, String


@model(table_name="exec_readings")
class Reading:
    sensor: str = column(String, hash_key=True)
    at: int = column(Integer, range_key=True)
    kind: str = column(String, default="temp")
    value: int | None = column(Integer)
    by_kind = GlobalSecondaryIndex(hash_key="kind", range_key="at", projection="all")


@model(table_name="exec_blobs")
class Blob:
    digest: bytes = column(Binary, hash_key=True)
    size: int | None = column(Integer)


def readings(count: int) -> list[Reading]:
    return [
        Reading(sensor=f"s{i % 5}", at=i, kind="temp" if i % 2 else "wind", value=i % 10)
        for i in range(count)
    ]


def key_of(reading: Reading) -> tuple[str, int]:
    return reading.sensor, reading.at


def no_sleep(_: float) -> None:
    pass


@pytest.fixture()
def recorder(executor: Any) -> RecordingExecutor:
    Engine(executor).bind(Reading, Blob)
    return RecordingExecutor(executor)


def test_save_and_load_many(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    records = readings(130)
    engine.save_many(records)
    assert recorder.counts() == Counter({"BatchWriteItem": math.ceil(130 / 25)})
    recorder.reset()
    assert engine.load_many(Reading, records) == records
    assert recorder.counts() == Counter({"BatchGetItem": 2})


def test_binary_keys(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    blobs = [Blob(digest=bytes([i, 255 - i]), size=i) for i in range(30)]
    engine.save_many(blobs)
    assert engine.load_many(Blob, [{"digest": b.digest} for b in blobs]) == blobs
    engine.delete_many(blobs[:10])
    assert engine.load_many(Blob, blobs, missing="skip") == blobs[10:]


def test_delete_many(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    records = readings(40)
    engine.save_many(records)
    engine.delete_many([{"sensor": r.sensor, "at": r.at} for r in records[:30]], model=Reading)
    assert sorted(engine.scan(Reading).all(), key=lambda r: r.at) == records[30:]


def test_load_many_missing(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    engine.save_many(readings(2))
    wanted = readings(4)
    with pytest.raises(errors.ItemsNotFound) as raised:
        engine.load_many(Reading, wanted)
    assert raised.value.keys == tuple({"sensor": r.sensor, "at": r.at} for r in wanted[2:])


def test_save_many_under_faults(recorder: RecordingExecutor) -> None:
    faults = FaultInjectingExecutor(recorder, seed=1, throttle_rate=0.3, partial_rate=0.5)
    engine = Engine(faults, retry=RetryPolicy(attempts=40), sleep=no_sleep)
    records = readings(300)
    engine.save_many(records)
    assert faults.throttled > 0
    assert faults.partial > 0
    assert sorted(Engine(recorder).scan(Reading).all(), key=lambda r: r.at) == records
    assert engine.load_many(Reading, records) == records


def test_query_limit_and_cursor(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    engine.save_many(readings(60))
    options: dict[str, Any] = {"page_size": 4, "filter": Reading.value >= 3}
    full = engine.query(Reading, Reading.sensor == "s1", **options).all()
    for stop in range(len(full) + 1):
        iterator = iter(engine.query(Reading, Reading.sensor == "s1", **options))
        head = [r for _, r in zip(range(stop), iterator, strict=False)]
        tail = engine.query(
            Reading, Reading.sensor == "s1", cursor=iterator.cursor.to_json(), **options
        ).all()
        assert head + tail == full


def test_index_query_cursor(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    engine.save_many(readings(40))
    full = engine.query(Reading.by_kind, Reading.kind == "temp", page_size=3).all()
    assert len(full) == 20
    iterator = iter(engine.query(Reading.by_kind, Reading.kind == "temp", page_size=3, limit=7))
    head = list(iterator)
    tail = engine.query(
        Reading.by_kind, Reading.kind == "temp", page_size=3, cursor=iterator.cursor
    ).all()
    assert head + tail == full


def test_parallel_scan(recorder: RecordingExecutor) -> None:
    engine = Engine(recorder)
    records = readings(200)
    engine.save_many(records)
    options: dict[str, Any] = {"segments": 3, "page_size": 17}
    found = engine.scan(Reading, **options).all()
    assert sorted(map(key_of, found)) == sorted(map(key_of, records))

    iterator = iter(engine.scan(Reading, **options))
    head = [r for _, r in zip(range(77), iterator, strict=False)]
    cursor = iterator.cursor
    assert isinstance(cursor, ParallelCursor)
    tail = engine.scan(Reading, cursor=cursor.to_dict(), **options).all()
    combined = list(map(key_of, head + tail))
    assert len(combined) == len(set(combined))
    assert sorted(combined) == sorted(map(key_of, records))


@model(table_name="number_keyed")
class NumberKeyed:
    group: str = column(String, hash_key=True)
    rank: decimal.Decimal = column(Number, range_key=True)


def test_load_many_number_key_by_value() -> None:
    # DynamoDB trims zeros, so "1E+2" is stored and returned as "100".
    engine = Engine(MemoryExecutor(), sleep=lambda _: None)
    engine.bind(NumberKeyed, wait_delay=0)
    engine.save(NumberKeyed(group="a", rank=decimal.Decimal("1E+2")))

    loaded = engine.load_many(NumberKeyed, [{"group": "a", "rank": decimal.Decimal("1E+2")}])

    assert loaded == [NumberKeyed(group="a", rank=decimal.Decimal("100"))]


def test_save_many_equal_number_keys_deduplicated() -> None:
    engine = Engine(MemoryExecutor(), sleep=lambda _: None)
    engine.bind(NumberKeyed, wait_delay=0)
    first = NumberKeyed(group="b", rank=decimal.Decimal("1.5"))
    second = NumberKeyed(group="b", rank=decimal.Decimal("1.50"))

    engine.save_many([first, second])

    with pytest.raises(errors.DuplicateKeys):
        engine.save_many([first, second], duplicates="reject")
    assert len(engine.scan(NumberKeyed).all()) == 1
