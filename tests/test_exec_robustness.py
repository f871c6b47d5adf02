"""Version checks on update and delete, index projections, argument checks, IO errors, scans."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import attrs
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from bloopfp import Engine, GlobalSecondaryIndex, RetryPolicy, column, errors, model, transactions
from bloopfp.compiler import Request
from bloopfp.executors.boto import BotoExecutor
from bloopfp.executors.memory import MemoryExecutor
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.plans import schema_problems
from bloopfp.runtime import Runtime
from bloopfp.types import Integer, String


@model(table_name="robust_documents")
class Document:
    id: str = column(String, hash_key=True)
    body: str | None = column(String)
    version: int | None = column(Integer, version=True)


@model(table_name="robust_notes")
class Note:
    owner: str = column(String, hash_key=True)
    sk: int = column(Integer, range_key=True)
    note: str | None = column(String)
    topic: str | None = column(String)
    by_topic = GlobalSecondaryIndex(hash_key="topic", projection="keys")


@model(table_name="robust_notes")
class NoteWithFullIndex:
    owner: str = column(String, hash_key=True)
    sk: int = column(Integer, range_key=True)
    note: str | None = column(String)
    topic: str | None = column(String)
    by_topic = GlobalSecondaryIndex(hash_key="topic", projection="all")


@model(table_name="robust_notes")
class NoteWithIncludeIndex:
    owner: str = column(String, hash_key=True)
    sk: int = column(Integer, range_key=True)
    note: str | None = column(String)
    topic: str | None = column(String)
    by_topic = GlobalSecondaryIndex(hash_key="topic", projection=["note"])


def no_sleep(_: float) -> None:
    pass


@pytest.fixture()
def engine(executor: Any) -> Engine:
    engine = Engine(executor, sleep=no_sleep)
    engine.bind(Document, Note, wait_delay=0)
    return engine


def memory_engine() -> tuple[Engine, RecordingExecutor]:
    recorder = RecordingExecutor(MemoryExecutor())
    engine = Engine(recorder, sleep=no_sleep)
    engine.bind(Document, Note, wait_delay=0)
    recorder.reset()
    return engine, recorder


# Version columns.


def test_update_rejects_version_changes() -> None:
    engine, recorder = memory_engine()

    for changes in (Document.version.set(9), Document.version.remove()):
        with pytest.raises(errors.InvalidRequest, match=r"Document\.version"):
            engine.update(Document, changes, id="d")
    with pytest.raises(errors.InvalidRequest, match="version column"):
        engine.update(Document, Document.version.increment(), id="d")
    assert recorder.calls == []


def test_update_advances_version(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))

    updated = engine.update(Document, Document.body.set("two"), id="d")

    assert updated.version == 2
    assert engine.load(Document, id="d") == Document(id="d", body="two", version=2)
    with pytest.raises(errors.ConditionFailed):
        engine.save(attrs.evolve(first, body="stale"), old=first)
    assert engine.load(Document, id="d").body == "two"


def test_update_of_missing_item_sets_version_one(engine: Engine) -> None:
    created = engine.update(Document, Document.body.set("new"), id="fresh")

    assert created.version == 1


def test_delete_stale_record_fails(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))
    second = engine.save(attrs.evolve(first, body="two"), old=first)

    with pytest.raises(errors.ConditionFailed):
        engine.delete(first)
    assert engine.load(Document, id="d") == second

    engine.delete(second)
    with pytest.raises(errors.NotFound):
        engine.load(Document, id="d")


def test_delete_by_key_checks_no_version(engine: Engine) -> None:
    engine.save(Document(id="d", body="one"))

    engine.delete(Document, id="d")

    with pytest.raises(errors.NotFound):
        engine.load(Document, id="d")


def test_delete_sends_version_condition() -> None:
    engine, recorder = memory_engine()
    saved = engine.save(Document(id="d", body="one"))
    recorder.reset()

    engine.delete(saved)

    params = recorder.calls[0].params
    assert params["ConditionExpression"] == "#n0 = :v0"
    assert params["ExpressionAttributeNames"] == {"#n0": "version"}
    assert params["ExpressionAttributeValues"] == {":v0": {"N": "1"}}


def test_transaction_delete_checks_version(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))
    engine.save(attrs.evolve(first, body="two"), old=first)

    with pytest.raises(errors.TransactionCanceled):
        engine.transact_write([transactions.delete(first)])
    assert engine.load(Document, id="d").body == "two"


def test_transaction_update_changes_checks_version(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))
    engine.save(attrs.evolve(first, body="two"), old=first)

    stale = transactions.update(first, changes=Document.body.set("lost"))
    with pytest.raises(errors.TransactionCanceled):
        engine.transact_write([stale])
    current = engine.load(Document, id="d")
    engine.transact_write([transactions.update(current, changes=Document.body.set("three"))])

    assert engine.load(Document, id="d") == Document(id="d", body="three", version=3)


def test_transaction_update_rejects_version_changes() -> None:
    record = Document(id="d", body="one", version=1)

    with pytest.raises(errors.InvalidRequest, match="version column"):
        transactions.update(record, changes=Document.version.set(5))
    with pytest.raises(errors.InvalidRequest, match="leave it as loaded"):
        transactions.update(attrs.evolve(record, version=7), old=record)


# Index projections in bind.


def describe(projection: dict[str, Any]) -> dict[str, Any]:
    return {
        "Table": {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by_x",
                    "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                    "Projection": projection,
                }
            ],
        }
    }


def expected(projection: dict[str, Any]) -> dict[str, Any]:
    return {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by_x",
                "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": projection,
            }
        ],
    }


KEYS_ONLY = {"ProjectionType": "KEYS_ONLY"}
ALL = {"ProjectionType": "ALL"}


def include(*names: str) -> dict[str, Any]:
    return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(names)}


@pytest.mark.parametrize(
    ("declared", "existing", "fits"),
    [
        (KEYS_ONLY, KEYS_ONLY, True),
        (KEYS_ONLY, ALL, True),
        (KEYS_ONLY, include("a"), True),
        (ALL, ALL, True),
        (ALL, KEYS_ONLY, False),
        (ALL, include("a"), False),
        (include("a", "b"), include("b", "a"), True),
        (include("a"), include("a", "b"), True),
        (include("a", "b"), include("a"), False),
        (include("a"), KEYS_ONLY, False),
        (include("a"), ALL, True),
    ],
)
def test_schema_problems_compares_projection(
    declared: dict[str, Any], existing: dict[str, Any], fits: bool
) -> None:
    problems = schema_problems(expected(declared), describe(existing))

    assert (problems == []) is fits
    if not fits:
        assert "index 'by_x' projects" in problems[0]


def test_bind_rejects_narrower_index(executor: Any) -> None:
    engine = Engine(executor, sleep=no_sleep)
    engine.bind(Note, wait_delay=0)

    with pytest.raises(errors.InvalidModel, match="projects KEYS_ONLY"):
        engine.bind(NoteWithFullIndex, wait_delay=0)
    with pytest.raises(errors.InvalidModel, match="'note'"):
        engine.bind(NoteWithIncludeIndex, wait_delay=0)


def test_bind_accepts_wider_index(executor: Any) -> None:
    engine = Engine(executor, sleep=no_sleep)
    engine.bind(NoteWithFullIndex, wait_delay=0)

    engine.bind(Note, wait_delay=0)
    engine.bind(NoteWithIncludeIndex, wait_delay=0)


# Results have no cursor of their own.


def test_results_cursor_points_to_iterator() -> None:
    engine, _ = memory_engine()
    results = engine.query(Note, Note.owner == "ann")

    with pytest.raises(AttributeError, match=r"it = iter\(results\)"):
        results.cursor  # noqa: B018
    assert not hasattr(engine.scan(Note, segments=2), "cursor")
    assert iter(results).cursor.done is False


# Arguments of the wrong kind.


def test_update_rejects_condition_as_changes() -> None:
    engine, recorder = memory_engine()

    with pytest.raises(errors.InvalidRequest) as raised:
        engine.update(Note, Note.note == "v", owner="ann", sk=1)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "changes must be an Update of Note" in message
    assert "Note.note.set('x')" in message
    assert recorder.calls == []


@pytest.mark.parametrize(
    "condition",
    [Note.note.set("v"), True, None, "note = 'v'"],
    ids=["update", "bool", "none", "text"],
)
def test_save_rejects_non_condition(condition: Any) -> None:
    engine, recorder = memory_engine()

    with pytest.raises(errors.InvalidRequest, match="condition must be a Condition"):
        engine.save(Note(owner="ann", sk=1), condition=condition)
    with pytest.raises(errors.InvalidRequest, match="condition must be a Condition"):
        engine.delete(Note, owner="ann", sk=1, condition=condition)
    with pytest.raises(errors.InvalidRequest, match="condition must be a Condition"):
        engine.update(Note, Note.note.set("v"), owner="ann", sk=1, condition=condition)
    assert recorder.calls == []


def test_filter_from_record_attribute_rejected() -> None:
    engine, recorder = memory_engine()
    record = Note(owner="ann", sk=1, note="v")

    for bad in (record.note == "v", None):
        with pytest.raises(errors.InvalidRequest) as raised:
            engine.query(Note, Note.owner == "ann", filter=bad)  # type: ignore[arg-type]
        assert "filter must be a Condition built from the model class" in str(raised.value)
        with pytest.raises(errors.InvalidRequest, match="filter must be a Condition"):
            engine.scan(Note, filter=bad)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidRequest, match=r"record\.column == value"):
        engine.scan(Note, filter=True)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidRequest, match="key must be a Condition"):
        engine.query(Note, record.owner == "ann")  # type: ignore[arg-type]
    assert recorder.calls == []


def test_transactions_reject_wrong_items() -> None:
    engine, recorder = memory_engine()
    note = Note(owner="ann", sk=1)

    with pytest.raises(errors.InvalidRequest, match="transact_read takes items built with"):
        engine.transact_read([transactions.put(note)])  # type: ignore[list-item]
    with pytest.raises(errors.InvalidRequest, match="transact_write takes items built with"):
        engine.transact_write([transactions.get(note)])  # type: ignore[list-item]
    with pytest.raises(errors.InvalidRequest, match="condition must be a Condition"):
        transactions.check(note, True)  # type: ignore[arg-type]
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"limit": "5"}, "limit"),
        ({"limit": -1}, "limit"),
        ({"page_size": "5"}, "page_size"),
        ({"page_size": -3}, "page_size"),
        ({"page_size": 2.5}, "page_size"),
    ],
)
def test_read_numbers_rejected(options: dict[str, Any], name: str) -> None:
    engine, recorder = memory_engine()

    with pytest.raises(errors.InvalidRequest, match=f"^{name} must be an int"):
        engine.query(Note, Note.owner == "ann", **options)
    with pytest.raises(errors.InvalidRequest, match=f"^{name} must be an int"):
        engine.scan(Note, **options)
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"segments": "4"}, "segments"),
        ({"segments": 0}, "segments"),
        ({"segments": 4, "concurrency": 0}, "concurrency"),
        ({"segment": "1", "total_segments": 2}, "segment"),
        ({"segment": 0, "total_segments": "2"}, "total_segments"),
    ],
)
def test_scan_segment_numbers_rejected(options: dict[str, Any], name: str) -> None:
    engine, recorder = memory_engine()

    with pytest.raises(errors.InvalidRequest, match=f"^{name} must be an int"):
        engine.scan(Note, **options)
    assert recorder.calls == []


def test_cursor_text_not_json_rejected() -> None:
    engine, recorder = memory_engine()

    with pytest.raises(errors.InvalidRequest, match="not valid JSON"):
        engine.query(Note, Note.owner == "ann", cursor="nope")
    with pytest.raises(errors.InvalidRequest, match="not valid JSON"):
        engine.scan(Note, segments=2, cursor="nope")
    assert recorder.calls == []


# Errors that botocore raises without a response.


def test_param_validation_becomes_invalid_parameters(moto_executor: Any) -> None:
    runtime = Runtime(moto_executor, sleep=no_sleep)
    request = Request("DescribeTable", {"TableName": "ab", "Unknown": 1}, table="ab")

    with pytest.raises(errors.InvalidParameters) as raised:
        runtime.execute(request)
    assert raised.value.operation == "DescribeTable"
    assert "DescribeTable on table 'ab' has invalid parameters" in str(raised.value)
    assert isinstance(raised.value, errors.InvalidRequest)


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_endpoint_raises_connection_failed(caplog: pytest.LogCaptureFixture) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    executor = BotoExecutor.connect(
        endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1}),
    )
    engine = Engine(executor, retry=RetryPolicy(attempts=3, base=0), sleep=no_sleep)

    with (
        caplog.at_level(logging.INFO, logger="bloopfp.runtime"),
        pytest.raises(errors.ConnectionFailed) as raised,
    ):
        engine.load(Document, id="d")
    error = raised.value
    assert error.operation == "GetItem"
    assert error.table == "robust_documents"
    assert error.attempts == 3
    assert error.reason == "EndpointConnectionError"
    assert endpoint in str(error)
    retries = [r.getMessage() for r in caplog.records if r.name == "bloopfp.runtime"]
    assert len(retries) == 2
    assert "EndpointConnectionError" in retries[0]


class FlakyExecutor:
    """Raises each scripted error once, then passes calls to a MemoryExecutor."""

    def __init__(self, *failures: Exception) -> None:
        self.inner = MemoryExecutor()
        self.failures = list(failures)

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        if operation == "GetItem" and self.failures:
            raise self.failures.pop(0)
        return self.inner.call(operation, params)


def test_connection_errors_are_retried() -> None:
    executor = FlakyExecutor(
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
    )
    engine = Engine(executor, retry=RetryPolicy(attempts=3), sleep=no_sleep)
    engine.bind(Document, wait_delay=0)
    saved = engine.save(Document(id="d", body="one"))

    assert engine.load(Document, id="d") == saved
    assert executor.failures == []


def test_batch_connection_failure_reports_unwritten() -> None:
    class Unreachable:
        def call(self, operation: str, params: Any) -> dict[str, Any]:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    engine = Engine(Unreachable(), retry=RetryPolicy(attempts=2), sleep=no_sleep)
    notes = [Note(owner="ann", sk=i) for i in range(30)]

    with pytest.raises(errors.BatchIncomplete) as raised:
        engine.save_many(notes)

    assert list(raised.value.unprocessed) == notes


def test_batch_connection_lost_midway() -> None:
    # The second chunk never connects: the first 25 records are stored, the rest are reported.
    inner = MemoryExecutor()
    calls: list[str] = []

    class LosesConnection:
        def call(self, operation: str, params: Any) -> dict[str, Any]:
            calls.append(operation)
            if operation == "BatchWriteItem" and calls.count("BatchWriteItem") > 1:
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
            return inner.call(operation, params)

    engine = Engine(LosesConnection(), retry=RetryPolicy(attempts=3), sleep=no_sleep)
    engine.bind(Note, wait_delay=0)
    notes = [Note(owner="ann", sk=i) for i in range(60)]

    with pytest.raises(errors.BatchIncomplete) as raised:
        engine.save_many(notes)

    stored = Engine(inner).query(Note, Note.owner == "ann").all()
    assert sorted(stored + list(raised.value.unprocessed), key=lambda n: n.sk) == notes
    assert set(stored).isdisjoint(raised.value.unprocessed)


# Parallel scans.


def test_parallel_scan_many_segments_bounded_threads() -> None:
    engine, recorder = memory_engine()
    notes = [Note(owner=f"o{i}", sk=i) for i in range(50)]
    engine.save_many(notes)
    recorder.reset()
    before = threading.active_count()
    peak = before

    started = time.monotonic()
    iterator = iter(engine.scan(Note, segments=2000))
    found = []
    for note in iterator:
        found.append(note)
        peak = max(peak, threading.active_count())
    elapsed = time.monotonic() - started

    assert sorted(n.sk for n in found) == list(range(50))
    assert recorder.count("Scan") == 2000
    assert peak - before <= 16
    assert threading.active_count() == before
    assert elapsed < 30
    assert iterator.cursor.done


def test_parallel_scan_concurrency_and_resume() -> None:
    engine, _ = memory_engine()
    notes = [Note(owner=f"o{i}", sk=i) for i in range(120)]
    engine.save_many(notes)

    iterator = iter(engine.scan(Note, segments=300, concurrency=3, page_size=2))
    head = [next(iterator) for _ in range(40)]
    cursor = iterator.cursor.to_json()
    del iterator
    tail = engine.scan(Note, segments=300, concurrency=3, page_size=2, cursor=cursor).all()

    keys = sorted(n.sk for n in head + tail)
    assert keys == list(range(120))


def test_parallel_scan_count_many_segments() -> None:
    engine, _ = memory_engine()
    engine.save_many([Note(owner=f"o{i}", sk=i) for i in range(30)])

    assert engine.scan(Note, segments=500).count() == 30


# Messages.


def test_condition_failed_shows_number_keys(engine: Engine) -> None:
    engine.save(Note(owner="ann", sk=1, note="a"))

    with pytest.raises(errors.ConditionFailed) as raised:
        engine.save(Note(owner="ann", sk=1), condition=Note.note == "b")
    message = str(raised.value)
    assert "sk=1" in message
    assert "sk='1'" not in message
    assert "owner='ann'" in message


def test_parallel_scan_close_stops_readers() -> None:
    engine, recorder = memory_engine()
    engine.save_many([Note(owner=f"o{i}", sk=i) for i in range(200)])
    before = {thread.name for thread in threading.enumerate()}

    with iter(engine.scan(Note, segments=4, page_size=5)) as records:
        next(records)
        cursor = records.cursor

    time.sleep(0.2)
    recorder.reset()
    time.sleep(0.2)
    readers = [t for t in threading.enumerate() if t.name not in before and t.is_alive()]
    assert readers == []
    assert recorder.calls == []
    assert cursor is not None


def test_count_select_refuses_records() -> None:
    engine, _ = memory_engine()
    engine.save(Note(owner="ann", sk=1))
    results = engine.query(Note, Note.owner == "ann", select="COUNT")

    with pytest.raises(errors.InvalidRequest, match="count"):
        results.all()
    assert results.count() == 1
