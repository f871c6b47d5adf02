"""Every column type saved and loaded through MemoryExecutor and a moto server.

`Everything` declares one column of each type in bloopfp.types. Records are written with
Engine.save and read with Engine.load, and raw items are read and written with the low-level
client (or a plain MemoryExecutor call) to check what is stored and how stored data loads.
"""

from __future__ import annotations

import datetime
import enum
import pathlib
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_types_properties import (
    aware_datetimes,
    dynamic_values,
    dynamodb_decimals,
    dynamodb_floats,
    dynamodb_integers,
    whole_second_datetimes,
)

from bloopfp import Engine, column, errors, model, types
from bloopfp.executors.boto import BotoExecutor
from bloopfp.types import TYPE_METADATA

SMALLEST = Decimal("1E-130")
LARGEST = Decimal("9.9999999999999999999999999999999999999E+125")
# Unary minus rounds a Decimal to the context precision of 28 digits, so negate with copy_negate.
NEGATIVE_LARGEST = LARGEST.copy_negate()
THIRTY_EIGHT_DIGITS = Decimal("12345678901234567890123456789012345678")
ALL_BYTES = bytes(range(256))

# Non-ASCII text: emoji (outside the BMP, with a zero-width joiner), CJK, combining marks that
# follow their base letter, a right-to-left script and a NUL character.
EMOJI = "🦆👩‍💻"
CJK = "漢字かなカナ한국어"
COMBINING = "e\u0301 n\u0303 a\u030a"
MIXED_TEXT = f"{EMOJI} {CJK} {COMBINING} עברית \x00 end"


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = -1
    HIGH = 10**30


@attrs.frozen
class Address:
    street: str | None = attrs.field(metadata={TYPE_METADATA: types.String()})
    zip_code: int | None = attrs.field(metadata={TYPE_METADATA: types.Integer()})
    tags: frozenset[str] | None = attrs.field(metadata={TYPE_METADATA: types.Set(types.String())})


@attrs.frozen
class PosixPath(types.Transform):
    """A pathlib.PurePosixPath, stored as S."""

    stored_type: ClassVar[types.Type] = types.String()
    python_type: ClassVar[type] = pathlib.PurePosixPath

    def to_stored(self, value: Any) -> Any:
        return str(value)

    def from_stored(self, stored: Any) -> Any:
        return pathlib.PurePosixPath(stored)


NESTED_MAP = types.Map(
    label=types.String(),
    inner=types.Map(depth=types.Integer(), note=types.String(), blob=types.Binary()),
)


@model(table_name="everything")
class Everything:
    id: str = column(types.String(), hash_key=True)
    text: str | None = column(types.String())
    blob: bytes | None = column(types.Binary())
    flag: bool | None = column(types.Boolean())
    amount: Decimal | None = column(types.Number())
    count: int | None = column(types.Integer())
    ratio: float | None = column(types.Float())
    ident: uuid.UUID | None = column(types.UUID())
    moment: datetime.datetime | None = column(types.DateTime())
    expires: datetime.datetime | None = column(types.Timestamp())
    day: datetime.date | None = column(types.Date())
    color: Color | None = column(types.Enum(Color))
    color_value: Color | None = column(types.Enum(Color, by="value"))
    priority: Priority | None = column(types.Enum(Priority, by="value"))
    labels: frozenset[str] = column(types.Set(types.String()), default=frozenset())
    amounts: frozenset[Decimal] = column(types.Set(types.Number()), default=frozenset())
    blobs: frozenset[bytes] = column(types.Set(types.Binary()), default=frozenset())
    lines: tuple[str | None, ...] | None = column(types.List(types.String()))
    nested: dict[str, Any] | None = column(NESTED_MAP)
    address: Address | None = column(types.Map.of(Address))
    document: Any = column(types.Dynamic())
    document_list: list[Any] | None = column(types.DynamicList())
    document_map: dict[str, Any] | None = column(types.DynamicMap())
    path: pathlib.PurePosixPath | None = column(PosixPath())


OFFSET_MOMENT = datetime.datetime(
    1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
)

FULL = Everything(
    id=f"full {MIXED_TEXT}",
    text=MIXED_TEXT,
    blob=ALL_BYTES,
    flag=False,
    amount=THIRTY_EIGHT_DIGITS,
    count=-(10**37) - 1,
    ratio=0.1,
    ident=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    moment=OFFSET_MOMENT,
    expires=OFFSET_MOMENT,
    day=datetime.date(2026, 2, 28),
    color=Color.GREEN,
    color_value=Color.RED,
    priority=Priority.HIGH,
    labels=frozenset({"", EMOJI, CJK, COMBINING}),
    amounts=frozenset(
        {SMALLEST, LARGEST, -SMALLEST, NEGATIVE_LARGEST, THIRTY_EIGHT_DIGITS, Decimal(0)}
    ),
    blobs=frozenset({b"", b"\x00", ALL_BYTES}),
    lines=("", None, EMOJI, None, COMBINING),
    nested={"label": CJK, "inner": {"depth": 2, "note": "", "blob": b""}},
    address=Address(street=COMBINING, zip_code=None, tags=frozenset({"a", ""})),
    document={
        "list": [None, "", b"", True, Decimal("-1.5"), [[], {}]],
        "map": {EMOJI: {"x": None}},
    },
    document_list=[None, {"deep": [{"deeper": [b"\xff"]}]}, frozenset({1, Decimal("2.5")})],
    document_map={"null": None, CJK: [""], "n": LARGEST, "s": frozenset({"", "z"})},
    path=pathlib.PurePosixPath("/tmp/日本/🦆"),
)

EMPTY_VALUES = Everything(
    id="empty values",
    text="",
    blob=b"",
    lines=(),
    nested={"label": None, "inner": None},
    address=Address(street="", zip_code=0, tags=frozenset()),
    document="",
    document_list=[],
    document_map={},
)

EXTREMES = Everything(
    id="extremes",
    amount=NEGATIVE_LARGEST,
    count=10**125,
    ratio=1e-130,
    expires=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
    moment=datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    priority=Priority.LOW,
    document=SMALLEST,
    document_list=[LARGEST, -SMALLEST, THIRTY_EIGHT_DIGITS, -(10**37)],
    lines=(None,),
)

ONLY_KEY = Everything(id="only key")

RECORDS = [FULL, EMPTY_VALUES, EXTREMES, ONLY_KEY]
RECORD_IDS = ["full", "empty-values", "extremes", "only-key"]


# Helpers.


def bound_engine(executor: Any) -> Engine:
    engine = Engine(executor, sleep=lambda _: None)
    engine.bind(Everything, wait_delay=0)
    return engine


def raw_item(executor: Any, key: str) -> dict[str, Any]:
    """Read the stored item of `key` without bloopfp, through the low-level client on moto."""
    params = {"TableName": "everything", "Key": {"id": {"S": key}}, "ConsistentRead": True}
    if isinstance(executor, BotoExecutor):
        response = executor.client.get_item(**params)
    else:
        response = executor.call("GetItem", params)
    item: dict[str, Any] = response["Item"]
    return item


def put_raw(executor: Any, item: Mapping[str, Any]) -> None:
    """Write an item without bloopfp, through the low-level client on moto."""
    params = {"TableName": "everything", "Item": dict(item)}
    if isinstance(executor, BotoExecutor):
        executor.client.put_item(**params)
    else:
        executor.call("PutItem", params)


def comparable(attribute_value: Mapping[str, Any]) -> Any:
    """Return an AttributeValue with numbers as Decimal and sets as frozensets.

    DynamoDB compares numbers by value and keeps no set order, so two backends may return
    different number text or set order for the same stored item.
    """
    [(code, stored)] = attribute_value.items()
    if code == "N":
        return (code, Decimal(stored))
    if code == "NS":
        return (code, frozenset(Decimal(element) for element in stored))
    if code in ("SS", "BS"):
        return (code, frozenset(bytes(e) if code == "BS" else e for e in stored))
    if code == "B":
        return (code, bytes(stored))
    if code == "L":
        return (code, tuple(comparable(element) for element in stored))
    if code == "M":
        return (code, {name: comparable(element) for name, element in stored.items()})
    return (code, stored)


def comparable_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: comparable(value) for name, value in item.items()}


# Round trips of fixed records.


@pytest.mark.parametrize("record", RECORDS, ids=RECORD_IDS)
def test_record_round_trip(executor: Any, record: Everything) -> None:
    engine = bound_engine(executor)

    engine.save(record)
    loaded = engine.load(Everything, id=record.id)

    assert loaded == record


@pytest.mark.parametrize("record", RECORDS, ids=RECORD_IDS)
def test_loaded_values_keep_types(executor: Any, record: Everything) -> None:
    engine = bound_engine(executor)

    engine.save(record)
    loaded = engine.load(Everything, id=record.id)

    for name in attrs.fields_dict(Everything):
        saved_value = getattr(record, name)
        loaded_value = getattr(loaded, name)
        if saved_value is None:
            continue
        assert type(loaded_value) is type(saved_value), name


def test_extreme_numbers_round_trip(executor: Any) -> None:
    engine = bound_engine(executor)
    record = Everything(id="numbers", amounts=frozenset({SMALLEST, LARGEST}), amount=SMALLEST)

    engine.save(record)
    loaded = engine.load(Everything, id="numbers")

    assert loaded.amount == SMALLEST
    assert loaded.amounts == {SMALLEST, LARGEST}


def test_datetimes_load_in_utc(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(FULL)
    loaded = engine.load(Everything, id=FULL.id)

    assert loaded.moment.utcoffset() == datetime.timedelta(0)
    assert loaded.expires.utcoffset() == datetime.timedelta(0)


def test_backends_load_equal_records(memory_executor: Any, moto_executor: Any) -> None:
    memory_engine = bound_engine(memory_executor)
    moto_engine = bound_engine(moto_executor)

    for record in RECORDS:
        memory_engine.save(record)
        moto_engine.save(record)
        from_memory = memory_engine.load(Everything, id=record.id)
        from_moto = moto_engine.load(Everything, id=record.id)
        assert from_memory == from_moto, record.id


def test_backends_store_equal_items(memory_executor: Any, moto_executor: Any) -> None:
    memory_engine = bound_engine(memory_executor)
    moto_engine = bound_engine(moto_executor)

    for record in RECORDS:
        memory_engine.save(record)
        moto_engine.save(record)
        from_memory = comparable_item(raw_item(memory_executor, record.id))
        from_moto = comparable_item(raw_item(moto_executor, record.id))
        assert from_memory == from_moto, record.id


# Round trips of generated records.


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=16)
numbers = dynamodb_decimals() | dynamodb_integers

everything_records = st.builds(
    Everything,
    id=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=16),
    text=_optional(text),
    blob=_optional(st.binary(max_size=16)),
    flag=_optional(st.booleans()),
    amount=_optional(numbers),
    count=_optional(dynamodb_integers),
    ratio=_optional(dynamodb_floats),
    ident=_optional(st.uuids()),
    moment=_optional(aware_datetimes),
    expires=_optional(whole_second_datetimes),
    day=_optional(st.dates()),
    color=_optional(st.sampled_from(Color)),
    color_value=_optional(st.sampled_from(Color)),
    priority=_optional(st.sampled_from(Priority)),
    labels=st.frozensets(text, max_size=4),
    amounts=st.frozensets(numbers, max_size=4),
    blobs=st.frozensets(st.binary(max_size=8), max_size=4),
    lines=_optional(st.tuples() | st.lists(_optional(text), max_size=4).map(tuple)),
    nested=_optional(
        st.fixed_dictionaries(
            {
                "label": _optional(text),
                "inner": _optional(
                    st.fixed_dictionaries(
                        {
                            "depth": _optional(dynamodb_integers),
                            "note": _optional(text),
                            "blob": _optional(st.binary(max_size=8)),
                        }
                    )
                ),
            }
        )
    ),
    address=_optional(
        st.builds(
            Address,
            street=_optional(text),
            zip_code=_optional(dynamodb_integers),
            tags=_optional(st.frozensets(text, max_size=3)),
        )
    ),
    document=dynamic_values,
    document_list=_optional(st.lists(dynamic_values, max_size=3)),
    document_map=_optional(st.dictionaries(text.filter(bool), dynamic_values, max_size=3)),
    path=_optional(st.builds(pathlib.PurePosixPath, text)),
)

# Each example sends two requests to the executor, so the property runs few examples.
server_settings = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@server_settings
@given(record=everything_records)
def test_generated_round_trip(executor: Any, record: Everything) -> None:
    engine = bound_engine(executor)

    engine.save(record)
    loaded = engine.load(Everything, id=record.id)

    assert loaded == record


@server_settings
@given(record=everything_records)
def test_generated_backends_agree(
    memory_executor: Any, moto_executor: Any, record: Everything
) -> None:
    memory_engine = bound_engine(memory_executor)
    moto_engine = bound_engine(moto_executor)

    memory_engine.save(record)
    moto_engine.save(record)
    from_memory = memory_engine.load(Everything, id=record.id)
    from_moto = moto_engine.load(Everything, id=record.id)

    assert from_memory == from_moto
    assert comparable_item(raw_item(memory_executor, record.id)) == comparable_item(
        raw_item(moto_executor, record.id)
    )


# What is stored for empty and missing values.


def test_empty_set_removes_attribute(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(Everything(id="sets", labels=frozenset(), amounts=frozenset(), blobs=frozenset()))
    item = raw_item(executor, "sets")

    assert "labels" not in item
    assert "amounts" not in item
    assert "blobs" not in item


def test_empty_set_loads_empty(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(Everything(id="sets", labels=frozenset()))
    loaded = engine.load(Everything, id="sets")

    assert loaded.labels == frozenset()
    assert type(loaded.labels) is frozenset


def test_emptied_set_update_removes_attribute(executor: Any) -> None:
    engine = bound_engine(executor)
    stored = Everything(id="sets", labels=frozenset({"a", "b"}))
    emptied = Everything(id="sets", labels=frozenset())

    engine.save(stored)
    engine.save(emptied, old=stored)
    item = raw_item(executor, "sets")

    assert "labels" not in item
    assert engine.load(Everything, id="sets") == emptied


def test_none_columns_absent(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(ONLY_KEY)
    item = raw_item(executor, ONLY_KEY.id)

    assert item == {"id": {"S": ONLY_KEY.id}}


def test_none_update_removes_attribute(executor: Any) -> None:
    engine = bound_engine(executor)
    stored = Everything(id="none", text="x", blob=b"x", count=1)
    cleared = Everything(id="none")

    engine.save(stored)
    engine.save(cleared, old=stored)
    item = raw_item(executor, "none")

    assert item == {"id": {"S": "none"}}


def test_empty_string_and_bytes_stored(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(Everything(id="empty", text="", blob=b""))
    item = raw_item(executor, "empty")

    assert item["text"] == {"S": ""}
    assert item["blob"] == {"B": b""}


def test_empty_string_and_bytes_load(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(Everything(id="empty", text="", blob=b""))
    loaded = engine.load(Everything, id="empty")

    assert loaded.text == ""
    assert loaded.blob == b""


def test_list_null_elements_stored(executor: Any) -> None:
    engine = bound_engine(executor)

    engine.save(Everything(id="nulls", lines=(None, "", None)))
    item = raw_item(executor, "nulls")

    assert item["lines"] == {"L": [{"NULL": True}, {"S": ""}, {"NULL": True}]}


# Binary read back by the plain boto3 client.


@pytest.mark.parametrize(
    "value",
    [ALL_BYTES, b"", bytes(range(255, -1, -1)), b"\x00" * 3],
    ids=["0x00-0xff", "empty", "0xff-0x00", "nuls"],
)
def test_binary_bytes_exact_in_boto3(moto_executor: BotoExecutor, value: bytes) -> None:
    engine = bound_engine(moto_executor)

    engine.save(Everything(id="binary", blob=value))
    item = moto_executor.client.get_item(TableName="everything", Key={"id": {"S": "binary"}})

    assert item["Item"]["blob"] == {"B": value}


def test_binary_set_exact_in_boto3(moto_executor: BotoExecutor) -> None:
    engine = bound_engine(moto_executor)
    every_byte = {bytes([byte]) for byte in range(256)}

    engine.save(Everything(id="binary", blobs=frozenset({b"", ALL_BYTES, *every_byte})))
    item = moto_executor.client.get_item(TableName="everything", Key={"id": {"S": "binary"}})

    assert set(item["Item"]["blobs"]["BS"]) == {b"", ALL_BYTES, *every_byte}


def test_nested_binary_exact_in_boto3(moto_executor: BotoExecutor) -> None:
    engine = bound_engine(moto_executor)
    nested = {"label": None, "inner": {"depth": None, "note": None, "blob": ALL_BYTES}}

    engine.save(Everything(id="binary", nested=nested, document_list=[b"", ALL_BYTES]))
    item = moto_executor.client.get_item(TableName="everything", Key={"id": {"S": "binary"}})

    assert item["Item"]["nested"]["M"]["inner"]["M"]["blob"] == {"B": ALL_BYTES}
    assert item["Item"]["document_list"] == {"L": [{"B": b""}, {"B": ALL_BYTES}]}


def test_binary_key_exact_in_boto3(moto_executor: BotoExecutor) -> None:
    @model(table_name="blobs")
    class Blob:
        key: bytes = column(types.Binary(), hash_key=True)
        value: bytes | None = column(types.Binary())

    engine = Engine(moto_executor, sleep=lambda _: None)
    engine.bind(Blob, wait_delay=0)

    engine.save(Blob(key=ALL_BYTES, value=ALL_BYTES[::-1]))
    item = moto_executor.client.get_item(TableName="blobs", Key={"key": {"B": ALL_BYTES}})

    assert item["Item"] == {"key": {"B": ALL_BYTES}, "value": {"B": ALL_BYTES[::-1]}}
    assert engine.load(Blob, key=ALL_BYTES).value == ALL_BYTES[::-1]


# Loading raw items.


def test_unknown_attributes_ignored(executor: Any) -> None:
    engine = bound_engine(executor)
    put_raw(
        executor,
        {
            "id": {"S": "extra"},
            "text": {"S": "kept"},
            "unknown": {"S": "x"},
            "other": {"M": {"a": {"L": [{"NULL": True}]}}},
            "numbers": {"NS": ["1", "2"]},
            "Text": {"N": "5"},
        },
    )

    loaded = engine.load(Everything, id="extra")

    assert loaded == Everything(id="extra", text="kept")


# (column, stored AttributeValue, type name the column reads with, backing it reads, stored code)
MISMATCHES = [
    ("count", {"S": "12"}, "Integer", "N", "S"),
    ("amount", {"S": "1.5"}, "Number", "N", "S"),
    ("text", {"N": "1"}, "String", "S", "N"),
    ("blob", {"S": "AAA="}, "Binary", "B", "S"),
    ("flag", {"S": "true"}, "Boolean", "BOOL", "S"),
    ("labels", {"L": [{"S": "a"}]}, "Set(String)", "SS", "L"),
    ("amounts", {"SS": ["1"]}, "Set(Number)", "NS", "SS"),
    ("lines", {"S": "a"}, "List(String)", "L", "S"),
    ("address", {"S": "street"}, "Map.of(Address)", "M", "S"),
    ("document_list", {"M": {}}, "DynamicList", "L", "M"),
    ("color", {"N": "1"}, "Enum(Color)", "S", "N"),
    ("priority", {"S": "LOW"}, "Enum(Priority)", "N", "S"),
    ("expires", {"S": "2026-01-01"}, "Timestamp", "N", "S"),
    ("path", {"B": b"/tmp"}, "String", "S", "B"),
]


@pytest.mark.parametrize(
    ("name", "stored", "type_name", "expected", "actual"),
    MISMATCHES,
    ids=[case[0] for case in MISMATCHES],
)
def test_mismatched_type_raises(
    executor: Any, name: str, stored: dict[str, Any], type_name: str, expected: str, actual: str
) -> None:
    engine = bound_engine(executor)
    put_raw(executor, {"id": {"S": "mismatch"}, name: stored})

    with pytest.raises(errors.InvalidValue) as caught:
        engine.load(Everything, id="mismatch")

    message = str(caught.value)
    assert caught.value.model == "Everything"
    assert caught.value.column == name
    assert message.startswith(f"Everything.{name}: ")
    assert f"stored type is {actual}" in message
    assert f"{type_name} reads {expected}" in message


def test_mismatched_element_names_path(executor: Any) -> None:
    engine = bound_engine(executor)
    nested = {"M": {"inner": {"M": {"depth": {"S": "deep"}}}}}
    put_raw(executor, {"id": {"S": "mismatch"}, "nested": nested})

    with pytest.raises(errors.InvalidValue) as caught:
        engine.load(Everything, id="mismatch")

    message = str(caught.value)
    assert caught.value.column == "nested"
    assert "inner.depth" in message
    assert "stored type is S, but Integer reads N" in message
