"""Column types: wire format, documented decisions, operator support and custom types."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import pathlib
from typing import Any, ClassVar

import attrs
import pytest

from bloopfp import types
from bloopfp.errors import InvalidValue
from bloopfp.types import TYPE_METADATA

D = decimal.Decimal
UTC = datetime.UTC


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class Address:
    street: str = attrs.field(metadata={TYPE_METADATA: types.String()})
    zip_code: int | None = attrs.field(default=None, metadata={TYPE_METADATA: types.Integer()})
    _note: str | None = attrs.field(default=None, metadata={TYPE_METADATA: types.String()})


# Scalars.


def test_empty_string_and_bytes_are_values() -> None:
    assert types.String().dump("") == {"S": ""}
    assert types.String().load({"S": ""}) == ""
    assert types.Binary().dump(b"") == {"B": b""}
    assert types.Binary().load({"B": b""}) == b""


def test_binary_is_raw_bytes() -> None:
    assert types.Binary().dump(bytearray(b"\x00\xff")) == {"B": b"\x00\xff"}
    assert type(types.Binary().dump(bytearray(b"x"))["B"]) is bytes


def test_number_text_matches_decimal_text() -> None:
    assert types.Number().dump(D("1.50")) == {"N": "1.50"}
    assert types.Number().dump(D("-1E+5")) == {"N": "-1E+5"}
    assert types.Number().dump(7) == {"N": "7"}
    assert types.Number().load({"N": "1.50"}) == D("1.50")


def test_number_limits_are_inclusive() -> None:
    largest = D("9.9999999999999999999999999999999999999E+125")

    assert types.Number().dump(largest) == {"N": str(largest)}
    assert types.Number().dump(largest.copy_negate()) == {"N": "-" + str(largest)}
    assert types.Number().dump(D("1E-130")) == {"N": "1E-130"}
    assert types.Number().dump(D("1" * 38)) == {"N": "1" * 38}


def test_number_trailing_zeros_are_not_significant() -> None:
    assert types.Integer().dump(10**40) == {"N": "1E+40"}
    assert types.Number().dump(D("1." + "0" * 45)) == {"N": "1"}
    assert types.Integer().load({"N": "1E+40"}) == 10**40


def test_integer_accepts_integral_decimals() -> None:
    assert types.Integer().dump(D("3.0")) == {"N": "3"}
    assert types.Integer().dump(D("3E+2")) == {"N": "300"}
    assert types.Integer().load({"N": "3.0"}) == 3
    assert type(types.Integer().load({"N": "3"})) is int


def test_float_stores_repr() -> None:
    assert types.Float().dump(0.1) == {"N": "0.1"}
    assert types.Float().dump(1e16) == {"N": "1E+16"}
    assert types.Float().dump(3) == {"N": "3.0"}
    assert types.Float().load({"N": "0.1"}) == 0.1
    assert type(types.Float().load({"N": "3"})) is float


# Times.


def test_datetime_is_fixed_width_utc() -> None:
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    value = datetime.datetime(2026, 12, 4, 22, 2, 21, tzinfo=plus_two)

    assert types.DateTime().dump(value) == {"S": "2026-12-04T20:02:21.000000+00:00"}
    assert types.DateTime().dump(datetime.datetime(1, 1, 1, tzinfo=UTC)) == {
        "S": "0001-01-01T00:00:00.000000+00:00"
    }
    assert types.DateTime().load({"S": "2026-12-04T20:02:21.000000+00:00"}) == value


def test_timestamp_is_epoch_seconds() -> None:
    value = datetime.datetime(2026, 1, 1, tzinfo=UTC)

    assert types.Timestamp().dump(value) == {"N": "1767225600"}
    assert types.Timestamp().load({"N": "1767225600"}) == value
    assert types.Timestamp().load({"N": "1767225600"}).tzinfo is UTC
    assert types.Timestamp().dump(datetime.datetime(1969, 12, 31, 23, 59, tzinfo=UTC)) == {
        "N": "-60"
    }


def test_date_is_iso_date() -> None:
    assert types.Date().dump(datetime.date(987, 6, 5)) == {"S": "0987-06-05"}
    assert types.Date().load({"S": "2026-12-04"}) == datetime.date(2026, 12, 4)


# Enums.


def test_enum_by_name_and_by_value() -> None:
    assert types.Enum(Color).dump(Color.RED) == {"S": "RED"}
    assert types.Enum(Color).backing == "S"
    assert types.Enum(Color, by="value").dump(Color.RED) == {"S": "red"}
    assert types.Enum(Level, by="value").dump(Level.HIGH) == {"N": "2"}
    assert types.Enum(Level, by="value").backing == "N"
    assert types.Enum(Level, by="value").load({"N": "2"}) is Level.HIGH
    assert types.Enum(Level).backing == "S"


def test_enum_types_compare_by_value() -> None:
    assert types.Enum(Color) == types.Enum(Color)
    assert types.Enum(Color) != types.Enum(Color, by="value")
    assert hash(types.Enum(Color)) == hash(types.Enum(Color))
    assert types.Enum(Color).name == "Enum(Color)"


# Sets.


def test_set_backing_follows_element_type() -> None:
    assert types.Set(types.String()).backing == "SS"
    assert types.Set(types.Integer()).backing == "NS"
    assert types.Set(types.Binary()).backing == "BS"
    assert types.Set(types.DateTime()).backing == "SS"
    assert types.Set(types.Enum(Level, by="value")).backing == "NS"
    assert types.Set(types.Timestamp()).backing == "NS"


def test_empty_set_is_absent() -> None:
    set_type = types.Set(types.String())

    assert set_type.dump(set()) is None
    assert set_type.dump(frozenset()) is None
    assert set_type.load_missing() == frozenset()
    set_type.validate(set())


def test_set_loads_frozenset() -> None:
    loaded = types.Set(types.Integer()).load({"NS": ["1", "2"]})

    assert loaded == frozenset({1, 2})
    assert type(loaded) is frozenset


def test_set_accepts_empty_strings() -> None:
    assert types.Set(types.String()).dump({"", "a"}) == {"SS": ["", "a"]}
    assert types.Set(types.Binary()).dump({b""}) == {"BS": [b""]}


# Lists and maps.


def test_list_stores_none_as_null() -> None:
    list_type = types.List(types.String())

    assert list_type.dump(["a", None, ""]) == {"L": [{"S": "a"}, {"NULL": True}, {"S": ""}]}
    assert list_type.load({"L": [{"S": "a"}, {"NULL": True}, {"S": ""}]}) == ("a", None, "")


def test_empty_list_and_map_are_stored() -> None:
    assert types.List(types.String()).dump([]) == {"L": []}
    assert types.List(types.String()).load({"L": []}) == ()
    assert types.Map().dump({}) == {"M": {}}
    assert types.DynamicList().dump([]) == {"L": []}
    assert types.DynamicMap().dump({}) == {"M": {}}


def test_list_loads_tuple_so_records_stay_hashable() -> None:
    loaded = types.List(types.Integer()).load({"L": [{"N": "1"}]})

    assert loaded == (1,)
    assert hash(loaded) == hash((1,))


def test_map_writes_every_field() -> None:
    map_type = types.Map(street=types.String(), zip_code=types.Integer())

    assert map_type.dump({"street": "Main"}) == {
        "M": {"street": {"S": "Main"}, "zip_code": {"NULL": True}}
    }
    assert map_type.dump({"street": "Main", "zip_code": None}) == map_type.dump({"street": "Main"})


def test_map_absent_and_null_fields_load_as_none() -> None:
    map_type = types.Map(street=types.String(), zip_code=types.Integer())

    from_absent = map_type.load({"M": {"street": {"S": "Main"}}})
    from_null = map_type.load({"M": {"street": {"S": "Main"}, "zip_code": {"NULL": True}}})

    assert from_absent == {"street": "Main", "zip_code": None}
    assert from_null == {"street": "Main", "zip_code": None}


def test_map_empty_set_field_is_left_out() -> None:
    map_type = types.Map(tags=types.Set(types.String()))

    assert map_type.dump({"tags": set()}) == {"M": {}}
    assert map_type.load({"M": {}}) == {"tags": frozenset()}
    assert map_type.load({"M": {"tags": {"NULL": True}}}) == {"tags": None}


def test_map_ignores_undeclared_stored_keys() -> None:
    map_type = types.Map(street=types.String())

    assert map_type.load({"M": {"street": {"S": "Main"}, "city": {"S": "X"}}}) == {"street": "Main"}


def test_map_of_record() -> None:
    map_type = types.Map.of(Address)
    value = Address("Main", 2134, note="back door")

    assert map_type.dump(value) == {
        "M": {"street": {"S": "Main"}, "zip_code": {"N": "2134"}, "_note": {"S": "back door"}}
    }
    assert map_type.load(map_type.dump(value)) == value
    assert map_type.load({"M": {"street": {"S": "Main"}}}) == Address("Main")
    assert repr(map_type) == "Map.of(Address)"
    assert map_type == types.Map.of(Address)


def test_map_repr_shows_fields() -> None:
    map_type = types.Map(street=types.String(), zip_code=types.Integer())

    assert repr(map_type) == "Map(street=String(), zip_code=Integer())"
    assert map_type.name == "Map(street, zip_code)"
    assert map_type == types.Map(street=types.String(), zip_code=types.Integer())
    assert map_type != types.Map(zip_code=types.Integer(), street=types.String())


# Schemaless documents.


def test_dynamic_numbers_load_as_int_when_integer_text() -> None:
    assert types.Dynamic().load({"N": "42"}) == 42
    assert type(types.Dynamic().load({"N": "42"})) is int
    assert type(types.Dynamic().load({"N": "-7"})) is int
    assert types.Dynamic().load({"N": "4.20"}) == D("4.20")
    assert type(types.Dynamic().load({"N": "1E+2"})) is D


def test_dynamic_document() -> None:
    document = {
        "name": "Ada",
        "photo": b"\x89PNG",
        "admin": False,
        "age": 36,
        "height": D("1.65"),
        "manager": None,
        "tags": {"math", "engines"},
        "scores": [1, D("2.5")],
        "address": {"city": "London"},
    }

    dumped = types.DynamicMap().dump(document)

    assert dumped == {
        "M": {
            "name": {"S": "Ada"},
            "photo": {"B": b"\x89PNG"},
            "admin": {"BOOL": False},
            "age": {"N": "36"},
            "height": {"N": "1.65"},
            "manager": {"NULL": True},
            "tags": {"SS": ["engines", "math"]},
            "scores": {"L": [{"N": "1"}, {"N": "2.5"}]},
            "address": {"M": {"city": {"S": "London"}}},
        }
    }
    assert types.DynamicMap().load(dumped) == document


def test_dynamic_tuple_loads_as_list() -> None:
    assert types.Dynamic().load(types.Dynamic().dump((1, "a"))) == [1, "a"]


def test_dynamic_null_loads_as_none() -> None:
    assert types.Dynamic().load({"NULL": True}) is None
    assert types.Dynamic().load({"L": [{"NULL": True}]}) == [None]


# Operator support for the condition builder.


@pytest.mark.parametrize(
    ("column_type", "ordering", "begins_with", "contains", "size"),
    [
        (types.String(), True, True, True, True),
        (types.Binary(), True, True, True, True),
        (types.Number(), True, False, False, False),
        (types.Integer(), True, False, False, False),
        (types.Timestamp(), True, False, False, False),
        (types.DateTime(), True, True, True, True),
        (types.Boolean(), False, False, False, False),
        (types.Set(types.String()), False, False, True, True),
        (types.Set(types.Number()), False, False, True, True),
        (types.List(types.String()), False, False, True, True),
        (types.Map(street=types.String()), False, False, False, True),
        (types.DynamicList(), False, False, True, True),
        (types.DynamicMap(), False, False, False, True),
        (types.Dynamic(), True, True, True, True),
        (types.Enum(Level, by="value"), True, False, False, False),
    ],
    ids=repr,
)
def test_operator_support(
    column_type: types.Type, ordering: bool, begins_with: bool, contains: bool, size: bool
) -> None:
    assert column_type.supports_ordering is ordering
    assert column_type.supports_begins_with is begins_with
    assert column_type.supports_contains is contains
    assert column_type.supports_size is size


# Custom types.


@attrs.frozen
class Cents(types.Type):
    """Money with at most two decimal places, stored as N in whole cents."""

    backing: ClassVar[str] = "N"
    python_type: ClassVar[type] = D

    def dump(self, value: Any) -> types.AttributeValue:
        self._require_instance(value)
        cents = value * 100
        if cents != cents.to_integral_value():
            raise InvalidValue("has more than two decimal places", value=value, type_name=self.name)
        return {"N": types.dump_number(int(cents), self.name)}

    def load(self, attribute_value: Any) -> Any:
        return D(attribute_value["N"]).scaleb(-2)


@attrs.frozen
class PosixPath(types.Transform):
    """A pathlib.PurePosixPath, stored as S."""

    stored_type: ClassVar[types.Type] = types.String()
    python_type: ClassVar[type] = pathlib.PurePosixPath

    def to_stored(self, value: Any) -> Any:
        return str(value)

    def from_stored(self, stored: Any) -> Any:
        return pathlib.PurePosixPath(stored)


@attrs.frozen
class JsonText(types.Transform):
    """A JSON document, stored as compact JSON text in S."""

    stored_type: ClassVar[types.Type] = types.String()

    def to_stored(self, value: Any) -> Any:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)

    def from_stored(self, stored: Any) -> Any:
        return json.loads(stored)


@attrs.frozen
class Tags(types.Transform):
    """Comma-separated labels, stored as a string set."""

    stored_type: ClassVar[types.Type] = types.Set(types.String())
    python_type: ClassVar[type] = str

    def to_stored(self, value: Any) -> Any:
        return {label for label in value.split(",") if label}

    def from_stored(self, stored: Any) -> Any:
        return ",".join(sorted(stored))


def test_custom_type_follows_protocol() -> None:
    assert Cents().dump(D("12.34")) == {"N": "1234"}
    assert Cents().load({"N": "1234"}) == D("12.34")
    assert Cents().supports_ordering
    with pytest.raises(InvalidValue, match="two decimal places"):
        Cents().dump(D("0.001"))
    with pytest.raises(InvalidValue, match="expected Decimal"):
        Cents().dump("12.34")


def test_transform_path() -> None:
    value = pathlib.PurePosixPath("/var/log/app.log")

    assert PosixPath().backing == "S"
    assert PosixPath().dump(value) == {"S": "/var/log/app.log"}
    assert PosixPath().load({"S": "/var/log/app.log"}) == value
    assert PosixPath().supports_begins_with
    with pytest.raises(InvalidValue, match="expected PurePosixPath"):
        PosixPath().dump("/var/log")


def test_transform_json() -> None:
    document = {"b": [1, 2.5, None], "a": True}

    assert JsonText().dump(document) == {"S": '{"a":true,"b":[1,2.5,null]}'}
    assert JsonText().load(JsonText().dump(document)) == document


def test_transform_conversion_errors_are_invalid_values() -> None:
    with pytest.raises(InvalidValue) as caught:
        JsonText().dump({"ratio": float("nan")})
    assert "conversion failed" in str(caught.value.in_column("Job", "config"))

    with pytest.raises(InvalidValue, match="conversion of the stored value failed"):
        JsonText().load({"S": "{not json"})


def test_transform_backed_by_set() -> None:
    assert Tags().backing == "SS"
    assert Tags().dump("b,a") == {"SS": ["a", "b"]}
    assert Tags().dump("") is None
    assert Tags().load_missing() == ""
    assert Tags().load({"SS": ["b", "a"]}) == "a,b"


def test_set_of_transform_elements() -> None:
    paths = frozenset({pathlib.PurePosixPath("/a"), pathlib.PurePosixPath("/b")})

    assert types.Set(PosixPath()).dump(paths) == {"SS": ["/a", "/b"]}
    assert types.Set(PosixPath()).load({"SS": ["/a", "/b"]}) == paths


def test_types_are_hashable_values() -> None:
    column_types = [
        types.String(),
        types.Set(types.Integer()),
        types.List(types.Map(street=types.String())),
        types.Map.of(Address),
        types.Enum(Color, by="value"),
        types.Dynamic(),
        PosixPath(),
    ]

    for column_type in column_types:
        assert hash(column_type) == hash(column_type)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            column_type.backing = "S"  # type: ignore[misc]
