"""Conversions between records and items, with no executor: dump_item, dump_key and load_item.

The `Everything` model, with a column of every type, comes from test_exec_types, which saves the
same records through real executors.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import attrs
import botocore.session
import botocore.validate
import pytest
from hypothesis import given
from test_exec_types import (
    ALL_BYTES,
    FULL,
    RECORD_IDS,
    RECORDS,
    Everything,
    everything_records,
)

from bloopfp import Engine, column, errors, model, operations, types
from bloopfp.item_size import MAX_ITEM_SIZE
from bloopfp.items import dump_item, dump_key, load_item

_SERVICE_MODEL = botocore.session.get_session().get_service_model("dynamodb")
_PUT_ITEM_INPUT = _SERVICE_MODEL.operation_model("PutItem").input_shape


@model(table_name="notes")
class Note:
    id: str = column(types.String(), hash_key=True)
    body: str | None = column(types.String())
    data: bytes | None = column(types.Binary())


@model(table_name="events")
class Event:
    stream: bytes = column(types.Binary(), hash_key=True)
    sequence: str = column(types.String(), range_key=True)
    kind: str | None = column(types.String(), dynamo_name="k")


class RecordingExecutor:
    """An executor that records each call and returns an empty response."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, params))
        return {}


def validation_report(item: dict[str, Any]) -> str:
    """Return botocore's report of errors in a PutItem request carrying `item`, or ""."""
    params = {"TableName": "everything", "Item": item}
    report = botocore.validate.ParamValidator().validate(params, _PUT_ITEM_INPUT)
    return str(report.generate_report())


# Round trips.


@pytest.mark.parametrize("record", RECORDS, ids=RECORD_IDS)
def test_dump_load_round_trip(record: Everything) -> None:
    assert load_item(Everything, dump_item(record)) == record


@given(record=everything_records)
def test_generated_dump_load_round_trip(record: Everything) -> None:
    assert load_item(Everything, dump_item(record)) == record


def test_dump_item_wire_format() -> None:
    record = Everything(
        id="a",
        text="",
        blob=b"",
        flag=True,
        count=7,
        labels=frozenset({"b", "a"}),
        lines=("x", None),
        nested={"label": None, "inner": {"depth": 1, "note": "", "blob": None}},
    )

    item = dump_item(record)

    assert item == {
        "id": {"S": "a"},
        "text": {"S": ""},
        "blob": {"B": b""},
        "flag": {"BOOL": True},
        "count": {"N": "7"},
        "labels": {"SS": ["a", "b"]},
        "lines": {"L": [{"S": "x"}, {"NULL": True}]},
        "nested": {
            "M": {
                "label": {"NULL": True},
                "inner": {"M": {"depth": {"N": "1"}, "note": {"S": ""}, "blob": {"NULL": True}}},
            }
        },
    }


def test_dump_item_omits_none_and_empty_sets() -> None:
    item = dump_item(Everything(id="a", labels=frozenset(), amounts=frozenset()))

    assert item == {"id": {"S": "a"}}


def test_load_item_leaves_item_unchanged() -> None:
    item = dump_item(FULL)
    before = copy.deepcopy(item)

    load_item(Everything, item)

    assert item == before


def test_dynamo_name_round_trip() -> None:
    record = Event(stream=b"\x00s", sequence="0001", kind="created")

    item = dump_item(record)

    assert item == {"stream": {"B": b"\x00s"}, "sequence": {"S": "0001"}, "k": {"S": "created"}}
    assert load_item(Event, item) == record


def test_dump_key_binary_and_string() -> None:
    key = dump_key(Event, {"stream": ALL_BYTES, "sequence": "1"})

    assert key == {"stream": {"B": ALL_BYTES}, "sequence": {"S": "1"}}


# Loading items.


def test_load_ignores_unknown_attributes() -> None:
    item = {
        "id": {"S": "a"},
        "text": {"S": "kept"},
        "unknown": {"BS": [b"x"]},
        "kind": {"S": "Event's column, not this model's"},
    }

    assert load_item(Everything, item) == Everything(id="a", text="kept")


def test_load_null_attribute_as_missing() -> None:
    item = {"id": {"S": "a"}, "text": {"NULL": True}, "labels": {"NULL": True}}

    loaded = load_item(Everything, item)

    assert loaded.text is None
    assert loaded.labels == frozenset()


def test_load_without_key_raises() -> None:
    with pytest.raises(errors.MissingKey) as caught:
        load_item(Everything, {"text": {"S": "no key"}})

    assert caught.value.column == "id"


def test_load_mismatch_names_column() -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        load_item(Everything, {"id": {"S": "a"}, "count": {"BOOL": True}})

    message = str(caught.value)
    assert caught.value.model == "Everything"
    assert caught.value.column == "count"
    assert message.startswith("Everything.count: ")
    assert "stored type is BOOL, but Integer reads N" in message


def test_load_mismatch_in_list_names_index() -> None:
    item = {"id": {"S": "a"}, "lines": {"L": [{"S": "ok"}, {"N": "2"}]}}

    with pytest.raises(errors.InvalidValue) as caught:
        load_item(Everything, item)

    assert caught.value.column == "lines"
    assert "(at [1])" in str(caught.value)


# The item size limit.


def _sized_note(size: int) -> Note:
    """Return a Note whose item is `size` bytes: 7 for the names and key, the rest for the body."""
    return Note(id="k", body="x" * (size - 7))


def test_item_at_limit_dumps() -> None:
    item = dump_item(_sized_note(MAX_ITEM_SIZE))

    assert len(item["body"]["S"]) == MAX_ITEM_SIZE - 7


def test_item_over_limit_raises() -> None:
    with pytest.raises(errors.ItemTooLarge) as caught:
        dump_item(_sized_note(MAX_ITEM_SIZE + 1))

    assert caught.value.model == "Note"
    assert caught.value.key == {"id": "k"}
    assert caught.value.size == MAX_ITEM_SIZE + 1
    assert caught.value.limit == MAX_ITEM_SIZE


def test_item_too_large_message() -> None:
    with pytest.raises(errors.ItemTooLarge) as caught:
        dump_item(_sized_note(MAX_ITEM_SIZE + 1))

    message = str(caught.value)
    assert "Note" in message
    assert "{'id': 'k'}" in message
    assert str(MAX_ITEM_SIZE + 1) in message


def test_item_size_counts_utf8_bytes() -> None:
    # Each "é" is 2 bytes of UTF-8, so the body is over the limit with half as many characters.
    characters = (MAX_ITEM_SIZE - 7) // 2 + 1
    record = Note(id="k", body="é" * characters)

    with pytest.raises(errors.ItemTooLarge):
        dump_item(record)


def test_item_size_counts_raw_bytes() -> None:
    # Binary counts its raw bytes, not the longer base64 text sent over the wire.
    record = Note(id="k", data=b"\xff" * (MAX_ITEM_SIZE - 7))

    item = dump_item(record)

    assert len(item["data"]["B"]) == MAX_ITEM_SIZE - 7


WRITES: dict[str, Callable[[Engine, Note], object]] = {
    "save": lambda engine, record: engine.save(record),
    "save_many": lambda engine, record: engine.save_many([record]),
    "transact_write": lambda engine, record: engine.transact_write(
        [operations.TransactPut(record)], token="t"
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_too_large_sends_nothing(write: Callable[[Engine, Note], object]) -> None:
    recorder = RecordingExecutor()
    engine = Engine(recorder, sleep=lambda _: None)

    with pytest.raises(errors.ItemTooLarge):
        write(engine, _sized_note(MAX_ITEM_SIZE + 1))

    assert recorder.calls == []


def test_too_large_update_sends_nothing() -> None:
    recorder = RecordingExecutor()
    engine = Engine(recorder, sleep=lambda _: None)

    with pytest.raises(errors.ItemTooLarge):
        engine.save(_sized_note(MAX_ITEM_SIZE + 1), old=Note(id="k"))

    assert recorder.calls == []


# Empty keys.


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: Everything(id=""), "id"),
        (lambda: Event(stream=b"", sequence="1"), "stream"),
        (lambda: Event(stream=b"s", sequence=""), "sequence"),
        (lambda: Event(stream=None, sequence="1"), "stream"),
        (lambda: attrs.evolve(FULL, id=""), "id"),
    ],
    ids=["string-hash", "binary-hash", "string-range", "none-hash", "evolve"],
)
def test_empty_key_rejected(make: Callable[[], object], name: str) -> None:
    with pytest.raises(errors.MissingKey) as caught:
        make()

    assert caught.value.column == name


def test_empty_non_key_accepted() -> None:
    record = Event(stream=b"s", sequence="1", kind="")

    assert record.kind == ""


# botocore's request validation.


@pytest.mark.parametrize("record", RECORDS, ids=RECORD_IDS)
def test_dumped_record_passes_botocore(record: Everything) -> None:
    assert validation_report(dump_item(record)) == ""


@pytest.mark.parametrize("name", [field.name for field in attrs.fields(Everything)])
def test_each_column_passes_botocore(name: str) -> None:
    values = {name: getattr(FULL, name), "id": "a"}
    item = dump_item(Everything(**values))

    assert name in item
    assert validation_report(item) == ""


@given(record=everything_records)
def test_generated_record_passes_botocore(record: Everything) -> None:
    assert validation_report(dump_item(record)) == ""
