"""AttributeValue checks, number normalization, comparison, ordering and item size.

Values stay in the low-level client's format: a dict with one type key such as {"S": "text"},
{"N": "1.5"} or {"B": b"raw"}. Numbers are stored normalized, so equal numbers have equal text.
"""

from __future__ import annotations

import copy
import decimal
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bloopfp.executors.memory.errors import invalid, invalid_parameters

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
SCALAR_KEY_TYPES = frozenset({"S", "N", "B"})

# DynamoDB stores up to 38 significant digits, with magnitudes from 1E-130 up to just under 1E+126.
MAX_DIGITS = 38
MAX_ADJUSTED_EXPONENT = 125
MIN_ADJUSTED_EXPONENT = -130
MAX_ITEM_BYTES = 400 * 1024

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_EXACT = decimal.Context(prec=1000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[])
_SET_NAMES = {"SS": "A string set", "NS": "A number set", "BS": "A binary set"}


def parse_number(text: str) -> Decimal:
    """Parse and range-check a DynamoDB number, raising a ValidationException when it is invalid."""
    if not _NUMBER.fullmatch(text):
        raise invalid("A value provided cannot be converted into a number")
    return check_number(Decimal(text))


def check_number(number: Decimal) -> Decimal:
    """Raise a ValidationException when `number` is outside DynamoDB's precision or range."""
    if number.is_zero():
        return Decimal(0)
    reduced = number.normalize(_EXACT)
    if len(reduced.as_tuple().digits) > MAX_DIGITS:
        raise invalid("Attempting to store more than 38 significant digits in a Number")
    if reduced.adjusted() > MAX_ADJUSTED_EXPONENT:
        raise invalid(
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range"
        )
    if reduced.adjusted() < MIN_ADJUSTED_EXPONENT:
        raise invalid(
            "Number underflow. Attempting to store a number with magnitude smaller than supported "
            "range"
        )
    return reduced


def format_number(number: Decimal) -> str:
    """Format a checked number as DynamoDB returns it: plain notation, no trailing zeros.

    >>> format_number(Decimal("1.50")), format_number(Decimal("-0")), format_number(Decimal("1E2"))
    ('1.5', '0', '100')
    """
    if number.is_zero():
        return "0"
    return format(number.normalize(_EXACT), "f")


def normalize_number(text: str) -> str:
    """Check a number's text and return it in DynamoDB's normal form."""
    return format_number(parse_number(text))


def type_of(value: Mapping[str, Any]) -> str:
    """Return the type key of an AttributeValue, such as "S" or "NS"."""
    return next(iter(value))


def check_value(value: Mapping[str, Any]) -> AttributeValue:
    """Validate an AttributeValue from a request and return a normalized deep copy.

    Numbers are normalized, binary values become bytes, and empty or duplicated sets are rejected.
    """
    present = [name for name, member in value.items() if member is not None]
    if not present:
        raise invalid(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(present) > 1:
        raise invalid(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes"
        )
    kind = present[0]
    return {kind: _check_member(kind, value[kind])}


def _check_member(kind: str, member: Any) -> Any:
    if kind == "N":
        return normalize_number(member)
    if kind == "B":
        return to_bytes(member)
    if kind == "NULL" and member is not True:
        raise invalid_parameters("Null attribute value types must have the value of true")
    if kind in SET_TYPES:
        return _check_set(kind, member)
    if kind == "L":
        return [check_value(element) for element in member]
    if kind == "M":
        return {name: check_value(element) for name, element in member.items()}
    return member


def _check_set(kind: str, members: list[Any]) -> list[Any]:
    if not members:
        raise invalid_parameters(f"{_SET_NAMES[kind]} may not be empty")
    element_kind = SET_TYPES[kind]
    checked = [_check_member(element_kind, member) for member in members]
    if len(set(checked)) != len(checked):
        listed = ", ".join(str(member) for member in members)
        raise invalid_parameters(f"Input collection [{listed}] contains duplicates.")
    return checked


def to_bytes(member: Any) -> bytes:
    """Return a Binary value as bytes, encoding text the way botocore serializes it."""
    if isinstance(member, str):
        return member.encode("utf-8")
    if isinstance(member, bytes | bytearray):
        return bytes(member)
    return bytes(member.read())


def check_item(item: Mapping[str, Any]) -> Item:
    """Validate every attribute of an item and return a normalized deep copy."""
    return {name: check_value(value) for name, value in item.items()}


# Values that a copy may share, because nothing can change them in place.
_IMMUTABLE = frozenset({str, bytes, int, float, bool, type(None), Decimal})


def clone(value: Any) -> Any:
    """Return a deep copy, so that stored values never alias request or response dicts.

    Plain dicts and lists, which make up items and request parameters, are copied here
    directly because `copy.deepcopy` is several times slower on them. Other mutable types
    go to `copy.deepcopy`.
    """
    kind = type(value)
    if kind is dict:
        return {name: clone(member) for name, member in value.items()}
    if kind is list:
        return [clone(element) for element in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


def values_equal(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """Return whether two normalized AttributeValues are equal, comparing sets as sets."""
    kind = type_of(left)
    if kind != type_of(right):
        return False
    if kind in SET_TYPES:
        return set(left[kind]) == set(right[kind])
    if kind == "L":
        return len(left["L"]) == len(right["L"]) and all(
            values_equal(a, b) for a, b in zip(left["L"], right["L"], strict=True)
        )
    if kind == "M":
        return left["M"].keys() == right["M"].keys() and all(
            values_equal(element, right["M"][name]) for name, element in left["M"].items()
        )
    return bool(left[kind] == right[kind])


def sort_key(value: Mapping[str, Any]) -> Decimal | bytes:
    """Return the ordering key of an S, N or B value.

    Strings order by their UTF-8 bytes, binaries by their bytes and numbers by their value.
    """
    kind = type_of(value)
    if kind == "N":
        return Decimal(value["N"])
    if kind == "S":
        return str(value["S"]).encode("utf-8")
    if kind == "B":
        return bytes(value["B"])
    raise TypeError(f"values of type {kind} have no order")


def is_ordered_pair(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """Return whether the values can be ordered: both S, both N or both B."""
    kind = type_of(left)
    return kind in SCALAR_KEY_TYPES and kind == type_of(right)


def value_size(value: Mapping[str, Any]) -> int:
    """Return the stored size of an AttributeValue in bytes, as DynamoDB documents it."""
    kind = type_of(value)
    member = value[kind]
    if kind == "S":
        return len(member.encode("utf-8"))
    if kind == "B":
        return len(member)
    if kind == "N":
        return number_size(member)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in SET_TYPES:
        element_kind = SET_TYPES[kind]
        return sum(value_size({element_kind: element}) for element in member)
    if kind == "L":
        return 3 + sum(value_size(element) + 1 for element in member)
    return 3 + sum(attribute_size(name, element) + 1 for name, element in member.items())


def number_size(text: str) -> int:
    """Return a number's size: one byte per two significant digits, plus one byte."""
    digits = Decimal(text).normalize(_EXACT).as_tuple().digits
    significant = len(digits) if any(digits) else 1
    return (significant + 1) // 2 + 1


def attribute_size(name: str, value: Mapping[str, Any]) -> int:
    """Return the size of one attribute: its name's UTF-8 bytes plus its value's size."""
    return len(name.encode("utf-8")) + value_size(value)


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Return an item's size in bytes, the sum of its attribute sizes."""
    return sum(attribute_size(name, value) for name, value in item.items())


def check_item_size(item: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise a ValidationException when an item is larger than DynamoDB's 400 KB limit."""
    if item_size(item) > MAX_ITEM_BYTES:
        raise invalid("Item size has exceeded the maximum allowed size")
