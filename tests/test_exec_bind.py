"""Engine.bind with table options, run twice, and MemoryExecutor under concurrent callers."""

from __future__ import annotations

import threading
from typing import Any

from bloopfp import Engine, column, model
from bloopfp.executors.memory import MemoryExecutor
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.types import Integer, String, Timestamp


@model(table_name="expiring_sessions", ttl="expires", backups=True)
class Session:
    id: str = column(String, hash_key=True)
    expires: Any = column(Timestamp)


@model(table_name="shared_counters")
class Counter:
    id: str = column(String, hash_key=True)
    count: int | None = column(Integer)


def test_bind_twice_with_ttl(executor: Any) -> None:
    engine = Engine(executor, sleep=lambda _: None)

    engine.bind(Session, wait_delay=0)
    engine.bind(Session, wait_delay=0)

    described = executor.call("DescribeTimeToLive", {"TableName": "expiring_sessions"})
    settings = described["TimeToLiveDescription"]
    assert settings["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    assert settings["AttributeName"] == "expires"


def test_second_bind_skips_enabled_options() -> None:
    recorder = RecordingExecutor(MemoryExecutor())
    engine = Engine(recorder, sleep=lambda _: None)
    engine.bind(Session, wait_delay=0)
    recorder.reset()

    engine.bind(Session, wait_delay=0)

    sent = [call.operation for call in recorder.calls]
    assert "UpdateTimeToLive" not in sent
    assert "UpdateContinuousBackups" not in sent


def test_memory_counter_under_threads() -> None:
    engine = Engine(MemoryExecutor(), sleep=lambda _: None)
    engine.bind(Counter, wait_delay=0)
    engine.save(Counter(id="c", count=0))
    threads_count, increments = 8, 100

    def work() -> None:
        for _ in range(increments):
            engine.update(Counter, Counter.count.increment(), id="c")

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert engine.load(Counter, id="c").count == threads_count * increments
