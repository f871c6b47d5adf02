"""Batch reads and writes on MemoryExecutor: round trips, duplicates, faults and the retry budget.

MemoryExecutor runs BatchWriteItem and BatchGetItem itself; FaultInjectingExecutor wraps it to
throttle calls and to leave parts of batches unprocessed, and a RecordingExecutor between the two
records exactly what reached the store.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from bloopfp import Engine, RetryPolicy, errors
from bloopfp.executors.recording import FaultInjectingExecutor, RecordingExecutor
from bloopfp.models import column, model
from bloopfp.types import Integer, String


@model(table_name="batch_orders")
class Order:
    shop: str = column(String, hash_key=True)
    number: int = column(Integer, range_key=True)
    note: str | None = column(String)


@model(table_name="batch_shops")
class Shop:
    name: str = column(String, hash_key=True)


def orders(count: int, note: str = "n") -> list[Order]:
    return [Order(shop=f"s{i % 7}", number=i, note=note) for i in range(count)]


def no_sleep(_: float) -> None:
    pass


@pytest.fixture()
def store() -> Any:
    from bloopfp.executors import MemoryExecutor

    executor = MemoryExecutor()
    Engine(executor).bind(Order, Shop)
    return executor


def stored_orders(store: Any) -> list[Order]:
    return Engine(store).scan(Order).all()


def put_keys(recorder: RecordingExecutor) -> Counter[tuple[str, str]]:
    """Count how often each item was sent to the store in a BatchWriteItem put."""
    sent: Counter[tuple[str, str]] = Counter()
    for call in recorder.calls:
        if call.operation != "BatchWriteItem" or call.failed:
            continue
        for write in call.params["RequestItems"].get("batch_orders", []):
            item = write["PutRequest"]["Item"]
            sent[(item["shop"]["S"], item["number"]["N"])] += 1
    return sent


@pytest.mark.parametrize("count", [1, 25, 26, 260, 1000])
def test_save_many_round_trips(store: Any, count: int) -> None:
    recorder = RecordingExecutor(store)
    Engine(recorder).save_many(orders(count))
    assert recorder.counts() == Counter({"BatchWriteItem": math.ceil(count / 25)})
    assert len(stored_orders(store)) == count


@pytest.mark.parametrize("count", [1, 100, 101, 250, 1000])
def test_load_many_round_trips(store: Any, count: int) -> None:
    records = orders(count)
    Engine(store).save_many(records)
    recorder = RecordingExecutor(store)
    keys = [{"shop": r.shop, "number": r.number} for r in records]
    loaded = Engine(recorder).load_many(Order, keys)
    assert recorder.counts() == Counter({"BatchGetItem": math.ceil(count / 100)})
    assert loaded == records


def test_load_many_deduplicates_and_fans_out(store: Any) -> None:
    records = orders(150)
    Engine(store).save_many(records)
    recorder = RecordingExecutor(store)
    wanted = records + records[::-1] + [records[3]]
    loaded = Engine(recorder).load_many(Order, wanted)
    assert loaded == wanted
    assert recorder.count("BatchGetItem") == 2
    sent = sum(
        len(entry["Keys"])
        for call in recorder.calls
        for entry in call.params["RequestItems"].values()
    )
    assert sent == 150


def test_load_many_accepts_records_and_dicts(store: Any) -> None:
    records = orders(3)
    Engine(store).save_many(records)
    mixed = [records[0], {"shop": records[1].shop, "number": records[1].number}]
    assert Engine(store).load_many(Order, mixed) == records[:2]


def test_load_many_rejects_other_model(store: Any) -> None:
    with pytest.raises(errors.InvalidRequest, match="expected a Order record"):
        Engine(store).load_many(Order, [Shop(name="x")])


def test_load_many_missing_raise(store: Any) -> None:
    records = orders(3)
    Engine(store).save_many(records[:1])
    keys = [{"shop": r.shop, "number": r.number} for r in records]
    with pytest.raises(errors.ItemsNotFound) as raised:
        Engine(store).load_many(Order, keys)
    assert raised.value.keys == tuple(keys[1:])
    assert isinstance(raised.value, errors.NotFound)
    assert "2 of the requested keys" in str(raised.value)


def test_load_many_missing_skip_and_none(store: Any) -> None:
    records = orders(3)
    Engine(store).save_many([records[0], records[2]])
    engine = Engine(store)
    assert engine.load_many(Order, records, missing="skip") == [records[0], records[2]]
    assert engine.load_many(Order, records, missing="none") == [records[0], None, records[2]]


def test_load_many_consistent_read_sent(store: Any) -> None:
    Engine(store).save_many(orders(2))
    recorder = RecordingExecutor(store)
    Engine(recorder).load_many(Order, orders(2), consistent=True)
    (call,) = recorder.calls
    assert call.params["RequestItems"]["batch_orders"]["ConsistentRead"] is True


def test_save_many_duplicates_last_wins(store: Any) -> None:
    recorder = RecordingExecutor(store)
    first = Order(shop="s", number=1, note="first")
    last = Order(shop="s", number=1, note="last")
    Engine(recorder).save_many([first, Order(shop="s", number=2), last])
    assert stored_orders(store) == [last, Order(shop="s", number=2)]
    assert put_keys(recorder) == Counter({("s", "1"): 1, ("s", "2"): 1})


def test_save_many_duplicates_rejected(store: Any) -> None:
    recorder = RecordingExecutor(store)
    records = [Order(shop="s", number=1), Order(shop="s", number=1, note="x")]
    with pytest.raises(errors.DuplicateKeys):
        Engine(recorder).save_many(records, duplicates="reject")
    assert recorder.count() == 0


def test_save_many_several_models(store: Any) -> None:
    recorder = RecordingExecutor(store)
    Engine(recorder).save_many([Shop(name="a"), *orders(30), Shop(name="b")])
    assert recorder.count("BatchWriteItem") == 2
    assert len(stored_orders(store)) == 30
    assert len(Engine(store).scan(Shop).all()) == 2


def test_save_many_empty_sends_nothing(store: Any) -> None:
    recorder = RecordingExecutor(store)
    Engine(recorder).save_many([])
    assert Engine(recorder).load_many(Order, []) == []
    assert recorder.count() == 0


def test_delete_many_records_and_keys(store: Any) -> None:
    records = orders(60)
    Engine(store).save_many(records)
    recorder = RecordingExecutor(store)
    targets: list[Any] = records[:30] + [
        {"shop": r.shop, "number": r.number} for r in records[30:50]
    ]
    Engine(recorder).delete_many(targets, model=Order)
    assert recorder.count("BatchWriteItem") == 2
    assert sorted(stored_orders(store), key=lambda o: o.number) == records[50:]


def test_delete_many_key_dicts_need_model(store: Any) -> None:
    with pytest.raises(errors.InvalidRequest, match="model="):
        Engine(store).delete_many([{"shop": "s", "number": 1}])


def test_save_many_concurrent_chunks(store: Any) -> None:
    recorder = RecordingExecutor(store)
    Engine(recorder).save_many(orders(500), concurrency=4)
    assert recorder.count("BatchWriteItem") == 20
    assert len(stored_orders(store)) == 500


# Faults.


def faulty_engine(store: Any, *, attempts: int, seed: int = 7) -> tuple[Engine, RecordingExecutor]:
    recorder = RecordingExecutor(store)
    faults = FaultInjectingExecutor(recorder, seed=seed, throttle_rate=0.3, partial_rate=0.5)
    engine = Engine(
        faults, retry=RetryPolicy(attempts=attempts), sleep=no_sleep, random=lambda: 0.5
    )
    return engine, recorder


def test_faults_save_10000_exactly_once(store: Any) -> None:
    records = orders(10_000)
    engine, recorder = faulty_engine(store, attempts=40)
    engine.save_many(records)

    stored = stored_orders(store)
    assert len(stored) == 10_000
    assert {(o.shop, o.number) for o in stored} == {(o.shop, o.number) for o in records}
    sent = put_keys(recorder)
    assert len(sent) == 10_000
    assert set(sent.values()) == {1}


def test_faults_save_concurrently_exactly_once(store: Any) -> None:
    records = orders(2_000)
    engine, recorder = faulty_engine(store, attempts=40)
    engine.save_many(records, concurrency=4)
    assert len(stored_orders(store)) == 2_000
    assert set(put_keys(recorder).values()) == {1}


@pytest.mark.parametrize("concurrency", [1, 3])
def test_faults_budget_exhausted_unprocessed_exact(store: Any, concurrency: int) -> None:
    records = orders(1_000)
    engine, recorder = faulty_engine(store, attempts=2, seed=3)
    with pytest.raises(errors.BatchIncomplete) as raised:
        engine.save_many(records, concurrency=concurrency)

    unprocessed = raised.value.unprocessed
    assert unprocessed
    assert raised.value.operation == "BatchWriteItem"
    assert raised.value.attempts == 2
    stored = {(o.shop, o.number) for o in stored_orders(store)}
    left = [(o.shop, o.number) for o in unprocessed]
    assert len(set(left)) == len(left)
    assert stored.isdisjoint(left)
    assert stored | set(left) == {(o.shop, o.number) for o in records}
    assert all(isinstance(o, Order) for o in unprocessed)
    assert set(put_keys(recorder).values()) == {1}


def test_faults_budget_then_retry_unprocessed_finishes(store: Any) -> None:
    records = orders(500)
    engine, _ = faulty_engine(store, attempts=2, seed=5)
    with pytest.raises(errors.BatchIncomplete) as raised:
        engine.save_many(records)
    patient, _ = faulty_engine(store, attempts=60, seed=6)
    patient.save_many(raised.value.unprocessed)
    assert len(stored_orders(store)) == 500


def test_faults_load_many(store: Any) -> None:
    records = orders(3_000)
    Engine(store).save_many(records)
    engine, recorder = faulty_engine(store, attempts=40)
    assert engine.load_many(Order, records) == records
    assert recorder.count("BatchGetItem") >= 30


def test_faults_load_budget_unprocessed_exact(store: Any) -> None:
    records = orders(1_000)
    Engine(store).save_many(records)
    engine, recorder = faulty_engine(store, attempts=2, seed=11)
    with pytest.raises(errors.BatchIncomplete) as raised:
        engine.load_many(Order, records)

    read = set()
    for call in recorder.calls:
        if call.operation == "BatchGetItem" and not call.failed:
            for key in call.params["RequestItems"]["batch_orders"]["Keys"]:
                read.add((key["shop"]["S"], int(key["number"]["N"])))
    unprocessed = {(k["shop"], k["number"]) for k in raised.value.unprocessed}
    assert unprocessed
    assert unprocessed.isdisjoint(read)
    assert unprocessed | read == {(o.shop, o.number) for o in records}


def test_fault_injector_is_deterministic(store: Any) -> None:
    def run() -> tuple[int, int, int]:
        from bloopfp.executors import MemoryExecutor

        fresh = MemoryExecutor()
        Engine(fresh).bind(Order)
        recorder = RecordingExecutor(fresh)
        faults = FaultInjectingExecutor(recorder, seed=42, throttle_rate=0.3, partial_rate=0.5)
        Engine(
            faults, retry=RetryPolicy(attempts=40), sleep=no_sleep, random=lambda: 0.5
        ).save_many(orders(300))
        return faults.throttled, faults.partial, recorder.count()

    assert run() == run()


def test_fault_injector_rates_validated(store: Any) -> None:
    with pytest.raises(ValueError, match="throttle_rate"):
        FaultInjectingExecutor(store, throttle_rate=1.5)
