"""Record values are normalized when a record is built: frozen, copied and shaped as loaded."""

from __future__ import annotations

import decimal
from typing import Any, ClassVar

import attrs
import pytest

from bloopfp import Engine, column, model, types
from bloopfp.errors import InvalidModel
from bloopfp.items import dump_item, load_item
from bloopfp.models import NO_DEFAULT
from bloopfp.operations import key, save_item
from bloopfp.updates import diff


@attrs.frozen
class Address:
    street: str = attrs.field(metadata={types.TYPE_METADATA: types.String()})
    number: decimal.Decimal = attrs.field(metadata={types.TYPE_METADATA: types.Number()})


@model(table_name="record_values_things")
class Thing:
    id: str = column(types.String, hash_key=True)
    items: tuple[str, ...] = column(types.List(types.String))
    tags: frozenset[str] = column(types.Set(types.String))
    grid: tuple[tuple[int, ...], ...] | None = column(types.List(types.List(types.Integer)))
    address: dict[str, Any] | None = column(types.Map(street=types.String, zip=types.Integer))
    home: Address | None = column(types.Map.of(Address))
    document: Any = column(types.Dynamic())
    entries: list[Any] | None = column(types.DynamicList())
    settings: dict[str, Any] | None = column(types.DynamicMap())
    amount: decimal.Decimal | None = column(types.Number)
    count: int | None = column(types.Integer)
    ratio: float | None = column(types.Float)
    blob: bytes | None = column(types.Binary)


@model(table_name="record_values_blobs")
class Blob:
    id: bytes = column(types.Binary, hash_key=True)


def round_trip(record: Any) -> Any:
    return load_item(type(record), dump_item(record))


# Containers.


def test_list_column_becomes_tuple() -> None:
    items = ["x"]

    thing = Thing(id="a", items=items)
    items.append("y")

    assert thing.items == ("x",)
    assert isinstance(thing.items, tuple)


def test_set_column_becomes_frozenset() -> None:
    tags = {"t"}

    thing = Thing(id="a", tags=tags)
    tags.add("u")

    assert thing.tags == frozenset({"t"})
    assert isinstance(thing.tags, frozenset)


def test_record_with_list_and_set_hashable() -> None:
    thing = Thing(id="a", items=["x"], tags={"t"}, grid=[[1, 2], [3]])

    assert hash(thing) == hash(
        Thing(id="a", items=("x",), tags=frozenset({"t"}), grid=((1, 2), (3,)))
    )
    assert thing.grid == ((1, 2), (3,))


def test_nested_list_elements_normalized() -> None:
    thing = Thing(id="a", grid=[[1, None], []])

    assert thing.grid == ((1, None), ())
    assert isinstance(thing.grid[0], tuple)


def test_missing_set_is_empty_frozenset() -> None:
    thing = Thing(id="a")

    assert thing.tags == frozenset()
    assert Thing(id="a", tags=None).tags == frozenset()


def test_map_copied_with_every_field() -> None:
    address = {"street": "Main"}

    thing = Thing(id="a", address=address)
    address["street"] = "Side"

    assert thing.address == {"street": "Main", "zip": None}
    assert type(thing.address) is dict


def test_map_undeclared_field_still_rejected() -> None:
    with pytest.raises(types.InvalidValue, match="undeclared field 'city'"):
        Thing(id="a", address={"street": "Main", "city": "X"})


def test_map_of_record_fields_normalized() -> None:
    thing = Thing(id="a", home=Address(street="Main", number=7))  # type: ignore[arg-type]

    assert thing.home == Address(street="Main", number=decimal.Decimal(7))
    assert type(thing.home.number) is decimal.Decimal  # type: ignore[union-attr]


def test_dynamic_document_copied_as_loaded() -> None:
    inner = [1, 2]
    document = {"a": (inner, bytearray(b"x")), "b": {"c"}}

    thing = Thing(id="a", document=document)
    inner.append(3)

    assert thing.document == {"a": [[1, 2], b"x"], "b": frozenset({"c"})}
    assert type(thing.document["a"]) is list
    assert thing.document is not document


def test_dynamic_empty_set_becomes_none() -> None:
    assert Thing(id="a", document=set()).document is None


def test_dynamic_list_and_map_copied() -> None:
    entries = [("x", 1)]
    settings = {"k": ["v"]}

    thing = Thing(id="a", entries=entries, settings=settings)
    entries.append(("y", 2))
    settings["k"].append("w")

    assert thing.entries == [["x", 1]]
    assert thing.settings == {"k": ["v"]}


# Scalars.


def test_numbers_take_loaded_types() -> None:
    thing = Thing(id="a", amount=5, count=decimal.Decimal("3.0"), ratio=2)  # type: ignore[arg-type]

    assert type(thing.amount) is decimal.Decimal
    assert type(thing.count) is int
    assert thing.count == 3
    assert type(thing.ratio) is float


def test_invalid_numbers_still_rejected() -> None:
    with pytest.raises(types.InvalidValue, match="fractional part"):
        Thing(id="a", count=decimal.Decimal("3.5"))
    with pytest.raises(types.InvalidValue, match="no exact float value"):
        Thing(id="a", ratio=2**60 + 1)


def test_bytearray_becomes_bytes() -> None:
    thing = Thing(id="a", blob=bytearray(b"ab"))

    assert type(thing.blob) is bytes
    assert hash(Blob(id=bytearray(b"k"))) == hash(Blob(id=b"k"))


# Round trips: the record a caller builds equals the record loaded back.

ROUND_TRIP_VALUES: list[dict[str, Any]] = [
    {"items": ["x", "y"], "tags": {"t"}},
    {"grid": [[1], [2, None]]},
    {"tags": set()},
    {"tags": None},
    {"address": {"street": "Main"}},
    {"address": {"street": None, "zip": 12}},
    {"home": Address(street="Main", number=7)},  # type: ignore[arg-type]
    {"document": {"a": (1, decimal.Decimal("1.5")), "b": [{"c": bytearray(b"z")}]}},
    {"document": ("x", None, True)},
    {"document": frozenset({1, 2})},
    {"document": set()},
    {"entries": [(1, 2)], "settings": {"k": ("v",)}},
    {"amount": 5, "count": decimal.Decimal("4"), "ratio": 3, "blob": bytearray(b"q")},
]


@pytest.mark.parametrize("values", ROUND_TRIP_VALUES)
def test_record_equals_loaded_record(values: dict[str, Any]) -> None:
    thing = Thing(id="a", **values)

    assert round_trip(thing) == thing


@pytest.mark.parametrize(
    ("column_type", "value"),
    [
        (types.List(types.String), ["a", None]),
        (types.Set(types.Integer), {1, 2}),
        (types.Map(a=types.String, b=types.Set(types.String)), {"a": "x", "b": set()}),
        (types.Dynamic(), [("a", {"b": (1,)})]),
        (types.DynamicList(), ((1,), [2])),
        (types.DynamicMap(), {"a": (bytearray(b"x"),)}),
        (types.Number(), 7),
        (types.Integer(), decimal.Decimal("8")),
        (types.Float(), 9),
        (types.Binary(), bytearray(b"b")),
    ],
)
def test_load_dump_equals_normalize(column_type: types.Type, value: Any) -> None:
    dumped = column_type.dump(value)
    assert dumped is not None

    assert column_type.load(dumped) == column_type.normalize(value)


def test_normalize_leaves_wrong_types() -> None:
    assert types.List(types.String).normalize("abc") == "abc"
    assert types.Set(types.String).normalize(["a"]) == ["a"]
    assert types.Map(a=types.String).normalize(3) == 3


def test_custom_type_normalize_default() -> None:
    @attrs.frozen
    class Upper(types.Type):
        backing: ClassVar[str] = "S"

        def dump(self, value: Any) -> types.AttributeValue:
            return {"S": str(value).upper()}

        def load(self, attribute_value: Any) -> Any:
            return attribute_value["S"]

    value = ["unchanged"]

    assert Upper().normalize(value) is value


# Updates of records.


def test_diff_list_and_equal_tuple_empty() -> None:
    old = Thing(id="a", items=["x"], tags={"t"})
    new = Thing(id="a", items=("x",), tags=frozenset({"t"}))

    update = diff(old, new)

    assert not update.actions


def test_diff_dynamic_equal_content_empty() -> None:
    old = Thing(id="a", document={"a": (1, 2)})
    new = Thing(id="a", document={"a": [1, 2]})

    assert not diff(old, new).actions


def test_diff_dynamic_bool_and_int_differ() -> None:
    old = Thing(id="a", document=1)
    new = Thing(id="a", document=True)

    assert len(diff(old, new).actions) == 1


def test_diff_set_none_and_empty_equal() -> None:
    assert not diff(Thing(id="a", tags=None), Thing(id="a", tags=set())).actions


def test_save_with_old_list_sends_nothing() -> None:
    old = round_trip(Thing(id="a", items=["x"]))

    saved = save_item(Thing(id="a", items=["x"]), old=old)

    assert saved.operation is None


def test_key_value_normalized() -> None:
    item_key = key(Blob, {"id": bytearray(b"k")})

    assert item_key.values == (("id", b"k"),)
    assert hash(item_key) == hash(key(Blob, {"id": b"k"}))


# Defaults.


def test_list_default_not_shared() -> None:
    @model(table_name="record_values_defaults")
    class WithDefault:
        id: str = column(types.String, hash_key=True)
        items: tuple[str, ...] = column(types.List(types.String), default=[])

    first = WithDefault(id="a")
    second = WithDefault(id="b")

    assert first.items == ()
    assert isinstance(first.items, tuple)
    assert second.items == ()


def test_set_default_becomes_frozenset() -> None:
    @model(table_name="record_values_defaults")
    class WithDefault:
        id: str = column(types.String, hash_key=True)
        tags: frozenset[str] = column(types.Set(types.String), default={"a"})

    assert WithDefault(id="a").tags == frozenset({"a"})


@pytest.mark.parametrize(
    ("column_type", "default"),
    [(types.Dynamic(), []), (types.DynamicMap(), {}), (types.Map(a=types.String), {"a": "x"})],
)
def test_mutable_default_rejected(column_type: types.Type, default: Any) -> None:
    with pytest.raises(InvalidModel) as caught:

        @model(table_name="record_values_defaults")
        class WithDefault:
            id: str = column(types.String, hash_key=True)
            data: Any = column(column_type, default=default)

    message = str(caught.value)
    assert "WithDefault" in message
    assert "'data'" in message
    assert f"factory={type(default).__name__}" in message


def test_factory_values_not_shared() -> None:
    @model(table_name="record_values_defaults")
    class WithFactory:
        id: str = column(types.String, hash_key=True)
        data: dict[str, Any] = column(types.DynamicMap(), factory=dict)

    first = WithFactory(id="a")

    assert first.data == {}
    assert first.data is not WithFactory(id="b").data


def test_no_default_marker_unchanged() -> None:
    assert Thing.__bloopfp__.column("items").default is NO_DEFAULT


# Container types accept type classes.


def test_container_types_accept_classes() -> None:
    assert types.Set(types.String) == types.Set(types.String())
    assert types.List(types.String) == types.List(types.String())
    assert types.Map(a=types.String) == types.Map(a=types.String())


def test_container_class_needing_arguments_rejected() -> None:
    with pytest.raises(TypeError, match="Set takes arguments"):
        types.List(types.Set)


def test_column_class_needing_arguments_rejected() -> None:
    with pytest.raises(InvalidModel, match="List takes arguments"):
        column(types.List)


# Through an engine: what is saved is what is loaded.


def test_engine_saved_equals_loaded(memory_executor: Any) -> None:
    engine = Engine(memory_executor, sleep=lambda _: None)
    engine.bind(Thing, wait_delay=0)
    thing = Thing(
        id="a",
        items=["x"],
        tags={"t"},
        address={"street": "Main"},
        document={"a": (1, 2)},
        amount=3,
    )

    engine.save(thing)

    assert engine.load(Thing, id="a") == thing
