"""Differential tests: bloopfp's wire output against boto3's TypeSerializer for the same values.

TypeSerializer covers str, bytes, bool, int, Decimal, None, list, dict and sets. bloopfp differs on
purpose in three places, each tested below: an empty set dumps to None instead of an empty set
that DynamoDB rejects, zero is always written as "0", and set elements are written sorted.
"""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary as Boto3Binary
from boto3.dynamodb.types import TypeSerializer
from hypothesis import assume, given
from hypothesis import strategies as st
from test_types_properties import dynamic_values, dynamodb_decimals, dynamodb_integers

from bloopfp import types

_SERIALIZER = TypeSerializer()


def boto3_serialize(value: Any) -> Any:
    """Serialize with boto3, or reject the example when boto3 cannot serialize it.

    boto3 rejects some values DynamoDB accepts, such as integers with more than 38 digits of
    trailing zeros, so those examples are skipped.
    """
    try:
        return _SERIALIZER.serialize(value)
    except (TypeError, decimal.DecimalException):
        assume(False)


def comparable(attribute_value: Any) -> Any:
    """Return the value with raw bytes in place of boto3's Binary and sets as sorted lists."""
    [(code, stored)] = attribute_value.items()
    if code == "B":
        return {"B": _raw(stored)}
    if code == "BS":
        return {"BS": sorted(_raw(element) for element in stored)}
    if code == "NS":
        return {"NS": sorted(stored, key=decimal.Decimal)}
    if code == "SS":
        return {"SS": sorted(stored)}
    if code == "L":
        return {"L": [comparable(element) for element in stored]}
    if code == "M":
        return {"M": {key: comparable(element) for key, element in stored.items()}}
    return {code: stored}


def _raw(value: Any) -> bytes:
    return bytes(value.value) if isinstance(value, Boto3Binary) else bytes(value)


def _has_noncanonical_zero(value: Any) -> bool:
    if isinstance(value, decimal.Decimal):
        return value == 0 and str(value) != "0"
    if isinstance(value, dict):
        return any(_has_noncanonical_zero(element) for element in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_noncanonical_zero(element) for element in value)
    return False


def _has_empty_set(value: Any) -> bool:
    if isinstance(value, (set, frozenset)):
        return not value
    if isinstance(value, dict):
        return any(_has_empty_set(element) for element in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_empty_set(element) for element in value)
    return False


@given(value=dynamic_values)
def test_dynamic_matches_type_serializer(value: Any) -> None:
    assume(not _has_noncanonical_zero(value))
    expected = boto3_serialize(value)

    assert comparable(types.Dynamic().dump(value)) == comparable(expected)


@pytest.mark.parametrize(
    ("column_type", "values"),
    [
        (types.String(), st.text()),
        (types.Binary(), st.binary()),
        (types.Boolean(), st.booleans()),
        (types.Integer(), dynamodb_integers),
        (types.Number(), dynamodb_decimals()),
        (types.Set(types.String()), st.sets(st.text(), min_size=1)),
        (types.Set(types.Number()), st.sets(dynamodb_decimals(), min_size=1)),
        (types.Set(types.Binary()), st.sets(st.binary(), min_size=1)),
        (types.List(types.String()), st.lists(st.none() | st.text())),
        (types.DynamicList(), st.lists(dynamic_values, max_size=4)),
        (types.DynamicMap(), st.dictionaries(st.text(min_size=1), dynamic_values, max_size=4)),
    ],
    ids=repr,
)
@given(data=st.data())
def test_typed_columns_match_type_serializer(
    column_type: types.Type, values: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    value = data.draw(values)
    assume(not _has_noncanonical_zero(value))
    assume(not _has_empty_set(value))
    expected = boto3_serialize(value)

    assert comparable(column_type.dump(value)) == comparable(expected)


def test_empty_set_is_absent_not_empty() -> None:
    """boto3 sends an empty set that DynamoDB rejects; bloopfp removes the attribute instead."""
    assert _SERIALIZER.serialize(set()) == {"NS": []}

    assert types.Set(types.String()).dump(set()) is None
    assert types.Set(types.Number()).dump(frozenset()) is None
    assert types.Dynamic().dump(set()) is None


def test_nested_empty_set_is_rejected_not_sent() -> None:
    assert _SERIALIZER.serialize({"tags": set()}) == {"M": {"tags": {"NS": []}}}

    with pytest.raises(types.InvalidValue, match="no empty set"):
        types.DynamicMap().dump({"tags": set()})


def test_zero_is_always_plain_zero() -> None:
    assert _SERIALIZER.serialize(decimal.Decimal("-0")) == {"N": "-0"}
    assert _SERIALIZER.serialize(decimal.Decimal("0.000")) == {"N": "0.000"}

    for zero in ("-0", "0.000", "0E+5", "0E-200"):
        assert types.Number().dump(decimal.Decimal(zero)) == {"N": "0"}


def test_set_elements_are_sorted() -> None:
    dumped = types.Set(types.Integer()).dump({10, -2, 3})

    assert dumped == {"NS": ["-2", "3", "10"]}


def test_float_is_rejected_like_type_serializer() -> None:
    with pytest.raises(TypeError):
        _SERIALIZER.serialize(1.5)
    with pytest.raises(types.InvalidValue, match="Decimal"):
        types.Dynamic().dump(1.5)
