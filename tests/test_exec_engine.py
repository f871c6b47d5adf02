"""Engine behaviour on MemoryExecutor and on a moto server, through the `executor` fixture."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bloopfp import Engine, GlobalSecondaryIndex, column, model, types
from bloopfp.compiler import Request
from bloopfp.errors import ConditionFailed, ConstraintViolation, NotFound


@model(table_name="engine_people")
class Person:
    id: str = column(types.String, hash_key=True)
    name: str | None = column(types.String)
    status: str | None = column(types.String)
    label: str | None = column(types.String, dynamo_name="a.b#c :d")
    age: int | None = column(types.Integer)
    by_status = GlobalSecondaryIndex(hash_key="status", projection="all")
    by_label = GlobalSecondaryIndex(hash_key="label", projection="all")


@model(table_name="engine_events")
class Event:
    stream: str = column(types.String, hash_key=True)
    seq: int = column(types.Integer, range_key=True)
    body: str | None = column(types.String)


ADA = Person(id="p1", name="Ada", status="active", label="x.y #z", age=36)
GRACE = Person(id="p2", name="Grace", status="away", label="other", age=45)
ALAN = Person(id="p3", name="Alan", status="active", age=41)


def no_sleep(_: float) -> None:
    return None


class RecordingExecutor:
    """Forward each call to another executor and record its operation name."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.operations: list[str] = []

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.operations.append(operation)
        response: dict[str, Any] = self.inner.call(operation, params)
        return response


@pytest.fixture()
def sent() -> list[Request]:
    """The requests an engine compiled, in order."""
    return []


@pytest.fixture()
def engine(executor: Any, sent: list[Request]) -> Engine:
    bound = Engine(executor, sleep=no_sleep, observe=sent.append)
    bound.bind(Person, Event, wait_delay=0)
    return bound


def saved(engine: Engine, *records: Any) -> None:
    for record in records:
        engine.save(record)


# Tables.


def test_bind_creates_table_and_indexes(engine: Engine) -> None:
    table = engine.executor.call("DescribeTable", {"TableName": "engine_people"})["Table"]

    index_names = {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    assert table["TableStatus"] == "ACTIVE"
    assert index_names == {"by_status", "by_label"}
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_bind_twice(engine: Engine) -> None:
    recording = RecordingExecutor(engine.executor)
    second = Engine(recording, sleep=no_sleep)

    second.bind(Person, wait_delay=0)

    assert "DescribeTable" in recording.operations
    assert "CreateTable" not in recording.operations
    second.save(ADA)
    assert engine.load(Person, id="p1") == ADA


# Items.


def test_save_load_round_trip(engine: Engine) -> None:
    engine.save(ADA)

    loaded = engine.load(Person, id="p1")

    assert loaded == ADA


def test_save_replaces_item(engine: Engine) -> None:
    engine.save(ADA)
    replacement = Person(id="p1", name="Ada L.")

    engine.save(replacement)

    assert engine.load(Person, id="p1") == replacement


def test_load_missing_key(engine: Engine) -> None:
    with pytest.raises(NotFound) as raised:
        engine.load(Person, id="nobody")

    assert raised.value.table == "engine_people"
    assert raised.value.key == {"id": "nobody"}
    assert "nobody" in str(raised.value)


def test_conditional_save_fails(engine: Engine) -> None:
    engine.save(ADA)

    with pytest.raises(ConditionFailed) as raised:
        engine.save(ADA, condition=Person.id.not_exists())

    message = str(raised.value)
    assert "engine_people" in message
    assert "p1" in message
    assert raised.value.table == "engine_people"
    assert raised.value.key == {"id": {"S": "p1"}}


def test_conditional_save_passes(engine: Engine) -> None:
    engine.save(ADA, condition=Person.id.not_exists())

    engine.save(ADA, condition=Person.status == "active")

    assert engine.load(Person, id="p1") == ADA


def test_save_with_old_sends_difference(engine: Engine, sent: list[Request]) -> None:
    engine.save(ADA)
    changed = Person(id="p1", name="Ada", status="away", label="x.y #z", age=None)
    sent.clear()

    engine.save(changed, old=ADA)

    (request,) = sent
    assert request.operation == "UpdateItem"
    assert request.params["UpdateExpression"] == "SET #n0 = :v0 REMOVE #n1"
    assert request.params["ExpressionAttributeNames"] == {"#n0": "status", "#n1": "age"}
    assert request.params["ExpressionAttributeValues"] == {":v0": {"S": "away"}}
    assert engine.load(Person, id="p1") == changed


def test_save_unchanged_sends_nothing(engine: Engine, sent: list[Request]) -> None:
    engine.save(ADA)
    sent.clear()

    engine.save(ADA, old=ADA)

    assert sent == []


def test_save_old_condition_fails(engine: Engine) -> None:
    engine.save(ADA)
    changed = Person(id="p1", name="Ada", status="away", label="x.y #z", age=36)

    with pytest.raises(ConditionFailed):
        engine.save(changed, old=ADA, condition=Person.status == "retired")

    assert engine.load(Person, id="p1") == ADA


def test_delete_record(engine: Engine) -> None:
    saved(engine, ADA, GRACE)

    engine.delete(ADA)

    with pytest.raises(NotFound):
        engine.load(Person, id="p1")
    assert engine.load(Person, id="p2") == GRACE


def test_delete_by_key(engine: Engine) -> None:
    engine.save(ADA)

    engine.delete(Person, id="p1")

    with pytest.raises(NotFound):
        engine.load(Person, id="p1")


def test_delete_with_failed_condition(engine: Engine) -> None:
    engine.save(ADA)

    with pytest.raises(ConditionFailed):
        engine.delete(ADA, condition=Person.status == "away")

    assert engine.load(Person, id="p1") == ADA


# Queries and scans.


def test_query_index_one(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.query(Person.by_status, Person.status == "away").one()

    assert found == GRACE


def test_query_index_first(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.query(Person.by_status, Person.status == "active").first()

    assert found in (ADA, ALAN)


def test_query_index_all(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.query(Person.by_status, Person.status == "active").all()

    assert sorted(found, key=lambda person: person.id) == [ADA, ALAN]


def test_query_one_with_two_results(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    with pytest.raises(ConstraintViolation):
        engine.query(Person.by_status, Person.status == "active").one()


def test_query_first_with_no_result(engine: Engine) -> None:
    saved(engine, ADA)

    with pytest.raises(ConstraintViolation):
        engine.query(Person.by_status, Person.status == "retired").first()


def test_query_with_filter(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.query(Person.by_status, Person.status == "active", filter=Person.age > 40).all()

    assert found == [ALAN]


def test_scan_with_filter(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.scan(Person, filter=(Person.age >= 40) & Person.label.exists()).all()

    assert found == [GRACE]


def test_scan_all(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.scan(Person).all()

    assert sorted(found, key=lambda person: person.id) == [ADA, GRACE, ALAN]


def test_query_pages_of_one(engine: Engine) -> None:
    events = [Event(stream="s1", seq=n, body=f"event {n}") for n in (3, 0, 4, 1, 2)]
    saved(engine, *events, Event(stream="s2", seq=0))

    results = engine.query(Event, Event.stream == "s1", page_size=1)

    found = results.all()
    assert [event.seq for event in found] == [0, 1, 2, 3, 4]
    assert found == sorted(events, key=lambda event: event.seq)
    assert len(list(results.pages())) >= 5


def test_query_pages_reversed(engine: Engine) -> None:
    saved(engine, *(Event(stream="s1", seq=n) for n in range(5)))

    found = engine.query(Event, Event.stream == "s1", page_size=1, forward=False).all()

    assert [event.seq for event in found] == [4, 3, 2, 1, 0]


def test_query_range_condition(engine: Engine) -> None:
    saved(engine, *(Event(stream="s1", seq=n) for n in range(5)))

    found = engine.query(Event, (Event.stream == "s1") & Event.seq.between(1, 3)).all()

    assert [event.seq for event in found] == [1, 2, 3]


def test_scan_pages_of_one(engine: Engine) -> None:
    events = [Event(stream=f"s{n}", seq=n) for n in range(5)]
    saved(engine, *events)

    found = engine.scan(Event, page_size=1).all()

    assert sorted(found, key=lambda event: event.seq) == events


# Hostile attribute names.


def test_hostile_names_stored_as_given(engine: Engine) -> None:
    engine.save(ADA)

    item = engine.executor.call(
        "GetItem", {"TableName": "engine_people", "Key": {"id": {"S": "p1"}}}
    )

    assert item["Item"]["a.b#c :d"] == {"S": "x.y #z"}
    assert item["Item"]["name"] == {"S": "Ada"}
    assert item["Item"]["status"] == {"S": "active"}


def test_hostile_names_query_index(engine: Engine) -> None:
    saved(engine, ADA, GRACE)

    found = engine.query(Person.by_label, Person.label == "x.y #z").one()

    assert found == ADA


def test_hostile_names_filter(engine: Engine) -> None:
    saved(engine, ADA, GRACE, ALAN)

    found = engine.scan(
        Person, filter=Person.label.begins_with("x.y") & (Person.name == "Ada")
    ).all()

    assert found == [ADA]


def test_hostile_names_update(engine: Engine) -> None:
    engine.save(ADA)
    changed = Person(id="p1", name="Ada K.", status="away", label=":v0 #n0", age=36)

    engine.save(changed, old=ADA)

    assert engine.load(Person, id="p1") == changed
    assert engine.query(Person.by_label, Person.label == ":v0 #n0").one() == changed
