"""Every value a column type rejects raises InvalidValue that names the column and the value."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from typing import Any

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


class Shade(enum.Enum):
    DARK = "dark"


class Permission(enum.Flag):
    READ = 1
    WRITE = 2


@attrs.frozen
class Address:
    street: str = attrs.field(metadata={TYPE_METADATA: types.String()})


# (type, rejected value, a phrase the reason must contain)
REJECTED: list[tuple[types.Type, Any, str]] = [
    # Numbers out of DynamoDB's range or precision.
    (types.Number(), D("1E+126"), "magnitude from 1E-130"),
    (types.Number(), D("-1E+126"), "magnitude from 1E-130"),
    (types.Number(), D("1E-131"), "magnitude from 1E-130"),
    (types.Number(), 10**126, "magnitude from 1E-130"),
    (types.Number(), D("1.234567890123456789012345678901234567891"), "38 significant digits"),
    (types.Integer(), 10**38 + 1, "38 significant digits"),
    (types.Number(), D("NaN"), "finite"),
    (types.Number(), D("-Infinity"), "finite"),
    (types.Float(), float("nan"), "finite"),
    (types.Float(), float("inf"), "finite"),
    (types.Float(), 1e200, "magnitude from 1E-130"),
    (types.Float(), 5e-324, "magnitude from 1E-130"),
    (types.Float(), 2**53 + 1, "no exact float"),
    # Wrong numeric kinds.
    (types.Number(), 0.1, "decimal.Decimal(str(value))"),
    (types.Integer(), 2.0, "decimal.Decimal(str(value))"),
    (types.Integer(), D("2.5"), "fractional part"),
    (types.Integer(), True, "expected int or Decimal"),
    (types.Number(), False, "expected int or Decimal"),
    (types.Float(), True, "expected float or int"),
    (types.Number(), "12", "expected int or Decimal"),
    # Strings, bytes and booleans.
    (types.String(), b"bytes", "expected str"),
    (types.String(), 5, "expected str"),
    (types.String(), "lone \ud800 surrogate", "lone surrogate"),
    (types.Binary(), "text", "expected bytes or bytearray"),
    (types.Boolean(), 1, "expected bool"),
    (types.UUID(), "6f1c0b8e-0d9a-4a7a-9f0e-1f6d8b2a9c3d", "expected UUID"),
    # Times.
    (types.DateTime(), datetime.datetime(2026, 1, 1), "naive"),
    (types.DateTime(), datetime.date(2026, 1, 1), "expected datetime"),
    (
        types.DateTime(),
        datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
        "years 1 to 9999",
    ),
    (types.Timestamp(), datetime.datetime(2026, 1, 1), "naive"),
    (types.Timestamp(), datetime.datetime(2026, 1, 1, 0, 0, 0, 500, tzinfo=UTC), "whole seconds"),
    (
        types.Timestamp(),
        datetime.datetime(
            2026, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(microseconds=10))
        ),
        "whole seconds",
    ),
    (types.Timestamp(), 1767225600, "expected datetime"),
    (types.Date(), datetime.datetime(2026, 1, 1, tzinfo=UTC), "not datetime"),
    (types.Date(), "2026-01-01", "expected date"),
    # Enums.
    (types.Enum(Color), "red", "member of Color"),
    (types.Enum(Color), Shade.DARK, "member of Color"),
    (types.Enum(Permission), Permission.READ | Permission.WRITE, "by='value'"),
    # Sets.
    (types.Set(types.String()), ["a", "b"], "expected set or frozenset"),
    (types.Set(types.String()), {"a", 1}, "expected str"),
    (types.Set(types.Integer()), {1, D("1.5")}, "fractional part"),
    (types.Set(types.Number()), {0.5}, "decimal.Decimal(str(value))"),
    # Containers.
    (types.List(types.String()), "abc", "expected list or tuple"),
    (types.List(types.String()), ["a", 1], "expected str (at [1])"),
    (types.List(types.Set(types.String())), [set()], "empty set cannot be a list element"),
    (types.List(types.List(types.Integer())), [[1], [2, D("2.5")]], "whole numbers (at [1][1])"),
    (types.Map(street=types.String()), ["street"], "expected a mapping"),
    (types.Map(street=types.String()), {"street": "x", "strete": "y"}, "undeclared field 'strete'"),
    (types.Map(zip_code=types.Integer()), {"zip_code": "02134"}, "(at zip_code)"),
    (types.Map.of(Address), {"street": "x"}, "expected Address"),
    # Schemaless documents.
    (types.Dynamic(), 1.5, "decimal.Decimal(str(value))"),
    (types.Dynamic(), {"prices": [D("1.5"), 2.5]}, "(at prices[1])"),
    (types.Dynamic(), object(), "has no DynamoDB type"),
    (types.Dynamic(), {1: "one"}, "map keys must be non-empty strings"),
    (types.Dynamic(), {"": "empty"}, "map keys must be non-empty strings"),
    (types.Dynamic(), {"a", b"b"}, "all str, all numbers"),
    (types.Dynamic(), {True, False}, "all str, all numbers"),
    (types.Dynamic(), {1.5, 2.5}, "decimal.Decimal(str(value))"),
    (types.Dynamic(), [frozenset()], "no empty set"),
    (types.Dynamic(), D("1E+200"), "magnitude from 1E-130"),
    (types.DynamicList(), {"a": 1}, "expected list or tuple"),
    (types.DynamicMap(), [1], "expected a mapping"),
]


@pytest.mark.parametrize(
    ("column_type", "value", "phrase"),
    REJECTED,
    ids=[f"{column_type.name}-{value!r}"[:60] for column_type, value, _ in REJECTED],
)
def test_rejected_value_names_column_and_value(
    column_type: types.Type, value: Any, phrase: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        column_type.dump(value)

    message = str(caught.value.in_column("Account", "balance"))
    assert message.startswith("Account.balance: invalid value ")
    assert repr(caught.value.value)[:60] in message
    assert phrase in message


@pytest.mark.parametrize(("column_type", "value", "phrase"), REJECTED[:5])
def test_validate_raises_like_dump(column_type: types.Type, value: Any, phrase: str) -> None:
    with pytest.raises(InvalidValue, match=phrase):
        column_type.validate(value)


def test_rejected_nested_value_is_the_element() -> None:
    with pytest.raises(InvalidValue) as caught:
        types.List(types.Integer()).dump([1, 2, "three"])

    assert caught.value.value == "three"
    assert caught.value.type_name == "Integer"
    assert str(caught.value.in_column("Account", "scores")) == (
        "Account.scores: invalid value 'three' (str) for Integer: expected int or Decimal (at [2])"
    )


def test_duplicate_set_elements_names_both() -> None:
    @attrs.frozen
    class CaseInsensitive(types.Type):
        backing = "S"

        def dump(self, value: Any) -> types.AttributeValue:
            return {"S": value.lower()}

    with pytest.raises(InvalidValue) as caught:
        types.Set(CaseInsensitive()).dump(frozenset({"Ada", "ADA"}))

    message = str(caught.value.in_column("Account", "names"))
    assert message.startswith("Account.names: invalid value frozenset(")
    assert "'Ada'" in message
    assert "'ADA'" in message
    assert "both stored as 'ada'" in message


def test_duplicate_numbers_compare_by_value() -> None:
    @attrs.frozen
    class Text(types.Type):
        backing = "N"

        def dump(self, value: Any) -> types.AttributeValue:
            return {"N": value}

    with pytest.raises(InvalidValue) as caught:
        types.Set(Text()).dump({"1.0", "1.00"})

    assert "'1.0'" in caught.value.reason
    assert "'1.00'" in caught.value.reason
    assert "both stored as" in caught.value.reason


# Values read from DynamoDB that a type cannot load.
UNLOADABLE: list[tuple[types.Type, dict[str, Any], str]] = [
    (types.String(), {"N": "1"}, "stored type is N, but String reads S"),
    (types.Integer(), {"N": "1.5"}, "not integral"),
    (types.Number(), {"N": "abc"}, "not a number"),
    (types.UUID(), {"S": "not-a-uuid"}, "not a UUID"),
    (types.DateTime(), {"S": "2026-01-01T00:00:00"}, "no UTC offset"),
    (types.DateTime(), {"S": "yesterday"}, "not an ISO 8601 datetime"),
    (types.Date(), {"S": "01/02/2026"}, "not an ISO 8601 date"),
    (types.Timestamp(), {"N": "1.5"}, "not integral"),
    (types.Timestamp(), {"N": str(10**15)}, "years 1 to 9999"),
    (types.Enum(Color), {"S": "GREEN"}, "not a member of Color"),
    (types.Enum(Color, by="value"), {"S": "green"}, "not a value of Color"),
    (types.Set(types.String()), {"NS": ["1"]}, "stored type is NS, but Set(String) reads SS"),
    (types.List(types.Integer()), {"L": [{"N": "1"}, {"S": "x"}]}, "(at [1])"),
    (types.Map(when=types.Date()), {"M": {"when": {"S": "never"}}}, "(at when)"),
]


@pytest.mark.parametrize(("column_type", "stored", "phrase"), UNLOADABLE, ids=repr)
def test_unloadable_value_raises(column_type: types.Type, stored: Any, phrase: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        column_type.load(stored)

    message = str(caught.value.in_column("Account", "balance"))
    assert message.startswith("Account.balance: invalid value ")
    assert phrase in message


# Type declarations that cannot work, rejected when the type is built.
BAD_DECLARATIONS: list[tuple[Any, type[Exception], str]] = [
    (lambda: types.Set(types.Boolean()), TypeError, "Boolean is stored as BOOL"),
    (lambda: types.Set(types.List(types.String())), TypeError, "stored as L"),
    (lambda: types.Set(types.Dynamic()), TypeError, "a varying type"),
    (lambda: types.Set(types.Set(types.String())), TypeError, "stored as SS"),
    (lambda: types.Set(str), TypeError, "column type such as String()"),
    (lambda: types.Set(types.Set), TypeError, "takes arguments"),
    (lambda: types.List(str), TypeError, "column type such as String()"),
    (lambda: types.Map(street=str), TypeError, "column type such as String()"),
    (lambda: types.Map(**{"": types.String()}), TypeError, "non-empty strings"),
    (lambda: types.Map.of(dict), TypeError, "expects an attrs class"),
    (lambda: types.Enum(str), TypeError, "enum.Enum subclass"),
    (lambda: types.Enum(Color, by="label"), ValueError, "by='name' or by='value'"),
    (
        lambda: types.Enum(enum.Enum("Mixed", {"A": 1, "B": "b"}), by="value"),
        ValueError,
        "mixes str and int values",
    ),
    (
        lambda: types.Enum(enum.Enum("Ratio", {"HALF": 0.5}), by="value"),
        ValueError,
        "Ratio.HALF has the value 0.5 (float)",
    ),
    (
        lambda: types.Enum(enum.Enum("Huge", {"BIG": 10**200}), by="value"),
        ValueError,
        "Huge.BIG: DynamoDB numbers must have a magnitude",
    ),
]


@pytest.mark.parametrize(("build", "error_type", "phrase"), BAD_DECLARATIONS)
def test_bad_declaration_raises(build: Any, error_type: type[Exception], phrase: str) -> None:
    with pytest.raises(error_type) as caught:
        build()

    assert phrase in str(caught.value)


def test_map_of_field_without_type_raises() -> None:
    @attrs.frozen
    class Untyped:
        street: str = attrs.field(metadata={TYPE_METADATA: types.String()})
        city: str = attrs.field()

    with pytest.raises(TypeError, match=r"Untyped\.city has no bloopfp type"):
        types.Map.of(Untyped)


def test_map_of_field_without_init_raises() -> None:
    @attrs.frozen
    class Derived:
        street: str = attrs.field(metadata={TYPE_METADATA: types.String()})
        upper: str = attrs.field(init=False, metadata={TYPE_METADATA: types.String()})

    with pytest.raises(TypeError, match="init=False"):
        types.Map.of(Derived)


def test_uuid_type_accepts_only_uuid_objects() -> None:
    value = uuid.UUID("6f1c0b8e-0d9a-4a7a-9f0e-1f6d8b2a9c3d")

    assert types.UUID().dump(value) == {"S": "6f1c0b8e-0d9a-4a7a-9f0e-1f6d8b2a9c3d"}


def test_huge_integer_raises_invalid_value() -> None:
    with pytest.raises(InvalidValue, match="magnitude") as raised:
        types.Integer().dump(10**5000)

    assert "about 5000 digits" in str(raised.value)
