"""Round-trip properties of every column type, checked against botocore's request validator."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import pathlib
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import botocore.session
import botocore.validate
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloopfp import types
from bloopfp.types import TYPE_METADATA

_SERVICE_MODEL = botocore.session.get_session().get_service_model("dynamodb")
_PUT_ITEM_INPUT = _SERVICE_MODEL.operation_model("PutItem").input_shape
_SCALAR_CODES = {"S": str, "N": str, "B": bytes, "BOOL": bool}


def assert_valid_wire(attribute_value: Mapping[str, Any]) -> None:
    """Assert that botocore accepts the value in a PutItem item and that it has DynamoDB's shape.

    botocore checks the Python types of each member. The stricter checks here add what DynamoDB
    enforces on the server: one type key per value, NULL only as True, non-empty sets, and
    numbers within 38 significant digits.
    """
    report = botocore.validate.ParamValidator().validate(
        {"TableName": "t", "Item": {"a": attribute_value}}, _PUT_ITEM_INPUT
    )
    assert not report.has_errors(), report.generate_report()
    _assert_dynamodb_shape(attribute_value)


def _assert_dynamodb_shape(attribute_value: Mapping[str, Any]) -> None:
    assert len(attribute_value) == 1, attribute_value
    [(code, stored)] = attribute_value.items()
    if code in _SCALAR_CODES:
        assert type(stored) is _SCALAR_CODES[code], attribute_value
    if code == "N":
        _assert_number_text(stored)
    elif code == "NULL":
        assert stored is True
    elif code in ("SS", "NS", "BS"):
        assert stored, "DynamoDB rejects empty sets"
        assert len(stored) == len(set(stored)), "DynamoDB rejects duplicate set elements"
        for element in stored:
            _assert_dynamodb_shape({code[0]: element})
    elif code == "L":
        for element in stored:
            _assert_dynamodb_shape(element)
    elif code == "M":
        for key, element in stored.items():
            assert isinstance(key, str)
            assert key
            _assert_dynamodb_shape(element)


def _assert_number_text(text: str) -> None:
    number = decimal.Decimal(text)
    assert number.is_finite()
    digits = number.as_tuple().digits
    assert len(digits) <= 38, text
    if number:
        assert decimal.Decimal("1E-130") <= abs(number) < decimal.Decimal("1E+126"), text


# Strategies.


@st.composite
def dynamodb_decimals(draw: st.DrawFn) -> decimal.Decimal:
    """Decimals that DynamoDB stores exactly: up to 38 digits, magnitude 1E-130 to 9.99E+125."""
    if draw(st.integers(0, 20)) == 0:
        return decimal.Decimal(draw(st.sampled_from(["0", "-0", "0.000", "0E+5"])))
    first = draw(st.integers(1, 9))
    rest = draw(st.lists(st.integers(0, 9), max_size=37))
    digits = (first, *rest)
    adjusted_exponent = draw(st.integers(-130, 125))
    sign = draw(st.integers(0, 1))
    return decimal.Decimal((sign, digits, adjusted_exponent - len(digits) + 1))


dynamodb_integers = st.one_of(
    st.integers(-(10**38) + 1, 10**38 - 1),
    st.builds(lambda digit, power: digit * 10**power, st.integers(-9, 9), st.integers(0, 125)),
)

dynamodb_floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or 1e-130 <= abs(x) <= 9.9e125
)

utc_offsets = st.builds(
    datetime.timezone,
    st.timedeltas(min_value=datetime.timedelta(hours=-23), max_value=datetime.timedelta(hours=23)),
)
whole_minute_offsets = st.builds(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)), st.integers(-1380, 1380)
)
aware_datetimes = st.datetimes(
    min_value=datetime.datetime(2, 1, 1),
    max_value=datetime.datetime(9998, 12, 31),
    timezones=utc_offsets,
)
whole_second_datetimes = st.datetimes(
    min_value=datetime.datetime(2, 1, 1),
    max_value=datetime.datetime(9998, 12, 31),
    timezones=whole_minute_offsets,
).map(lambda value: value.replace(microsecond=0))


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = -1
    NORMAL = 0
    HIGH = 10**30


@attrs.frozen
class Address:
    street: str = attrs.field(metadata={TYPE_METADATA: types.String()})
    zip_code: int | None = attrs.field(metadata={TYPE_METADATA: types.Integer()})
    tags: frozenset[str] = attrs.field(metadata={TYPE_METADATA: types.Set(types.String())})


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


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | dynamodb_floats | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=10,
)

dynamic_scalars = st.one_of(
    st.none(),
    st.booleans(),
    dynamodb_integers,
    dynamodb_decimals(),
    st.text(),
    st.binary(),
    st.frozensets(st.text(), min_size=1),
    st.frozensets(dynamodb_integers | dynamodb_decimals(), min_size=1),
    st.sets(st.binary(), min_size=1),
)
dynamic_values = st.recursive(
    dynamic_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(min_size=1), children, max_size=4)
    ),
    max_leaves=12,
)


def _identity(value: Any) -> Any:
    return value


def _as_tuple(value: Any) -> Any:
    return tuple(value)


# (type, strategy of values, the value a load returns for a dumped value)
ROUND_TRIPS: list[tuple[types.Type, st.SearchStrategy[Any], Callable[[Any], Any]]] = [
    (types.String(), st.text(), _identity),
    (types.Binary(), st.binary(), _identity),
    (types.Binary(), st.binary().map(bytearray), bytes),
    (types.Boolean(), st.booleans(), _identity),
    (types.Number(), dynamodb_decimals(), _identity),
    (types.Number(), dynamodb_integers, _identity),
    (types.Integer(), dynamodb_integers, _identity),
    (types.Float(), dynamodb_floats, _identity),
    (types.UUID(), st.uuids(), _identity),
    (types.DateTime(), aware_datetimes, _identity),
    (types.Timestamp(), whole_second_datetimes, _identity),
    (types.Date(), st.dates(), _identity),
    (types.Enum(Color), st.sampled_from(Color), _identity),
    (types.Enum(Color, by="value"), st.sampled_from(Color), _identity),
    (types.Enum(Priority, by="value"), st.sampled_from(Priority), _identity),
    (types.Set(types.String()), st.sets(st.text()), frozenset),
    (types.Set(types.Number()), st.frozensets(dynamodb_decimals()), _identity),
    (types.Set(types.Integer()), st.sets(dynamodb_integers), frozenset),
    (types.Set(types.Binary()), st.frozensets(st.binary()), _identity),
    (types.Set(types.UUID()), st.frozensets(st.uuids()), _identity),
    (
        types.Set(types.Enum(Priority, by="value")),
        st.frozensets(st.sampled_from(Priority)),
        _identity,
    ),
    (types.List(types.String()), st.lists(st.none() | st.text()), _as_tuple),
    (types.List(types.List(types.Integer())), st.tuples(st.tuples(dynamodb_integers)), _identity),
    (
        types.Map(street=types.String(), zip_code=types.Integer()),
        st.fixed_dictionaries({"street": st.none() | st.text(), "zip_code": dynamodb_integers}),
        _identity,
    ),
    (
        types.Map.of(Address),
        st.builds(
            Address,
            street=st.text(),
            zip_code=st.none() | dynamodb_integers,
            tags=st.frozensets(st.text()),
        ),
        _identity,
    ),
    (types.Dynamic(), dynamic_values, _identity),
    (types.DynamicList(), st.lists(dynamic_values, max_size=4), _identity),
    (types.DynamicMap(), st.dictionaries(st.text(min_size=1), dynamic_values), _identity),
    (PosixPath(), st.text().map(pathlib.PurePosixPath), _identity),
    (JsonText(), json_values, _identity),
]


@pytest.mark.parametrize(
    ("column_type", "values", "expected"),
    ROUND_TRIPS,
    ids=[f"{column_type!r}-{index}" for index, (column_type, _, _) in enumerate(ROUND_TRIPS)],
)
@given(data=st.data())
def test_round_trip_and_valid_wire(
    column_type: types.Type,
    values: st.SearchStrategy[Any],
    expected: Callable[[Any], Any],
    data: st.DataObject,
) -> None:
    value = data.draw(values)
    dumped = column_type.dump(value)

    if dumped is None:
        assert column_type.load_missing() == expected(value)
        return
    assert_valid_wire(dumped)
    assert next(iter(dumped)) == column_type.backing or column_type.backing == ""
    assert column_type.load(dumped) == expected(value)


@given(value=dynamic_values)
def test_dump_does_not_mutate_input(value: Any) -> None:
    before = repr(value)
    types.Dynamic().dump(value)
    assert repr(value) == before


@given(values=st.sets(st.text(), min_size=1))
def test_set_dump_is_deterministic(values: set[str]) -> None:
    first = types.Set(types.String()).dump(values)
    second = types.Set(types.String()).dump(set(reversed(list(values))))
    assert first == second


@given(value=aware_datetimes, other=aware_datetimes)
def test_datetime_text_order_is_time_order(
    value: datetime.datetime, other: datetime.datetime
) -> None:
    text = types.DateTime().dump(value)["S"]
    other_text = types.DateTime().dump(other)["S"]
    assert len(text) == len(other_text)
    assert (text < other_text) == (value < other)


@given(value=st.dates(), other=st.dates())
def test_date_text_order_is_date_order(value: datetime.date, other: datetime.date) -> None:
    assert (types.Date().dump(value)["S"] < types.Date().dump(other)["S"]) == (value < other)


@given(value=dynamodb_floats)
def test_float_stores_shortest_repr(value: float) -> None:
    stored = types.Float().dump(value)["N"]
    assert decimal.Decimal(stored) == decimal.Decimal(repr(value))


@given(value=st.uuids())
def test_uuid_text_is_canonical(value: uuid.UUID) -> None:
    assert types.UUID().dump(value) == {"S": str(value)}
