"""Item size in bytes, computed by the rules DynamoDB documents, to check the item size limit.

The rules come from "DynamoDB item sizes and formats" in the Amazon DynamoDB Developer Guide
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):

- An item's size is the sum, over its attributes, of the attribute name's UTF-8 bytes and the
  size of its value.
- String (S): the value's UTF-8 bytes.
- Number (N): 1 byte per two significant digits, plus 1 byte. Leading and trailing zeros are not
  counted. The guide calls this an approximation, so sizes of numbers may be off by a byte.
- Binary (B): the raw bytes, not the base64 text sent over the wire.
- Null (NULL) and Boolean (BOOL): 1 byte.
- List (L) and Map (M): 3 bytes, plus 1 byte per element, plus each element's size. An element
  of a map also counts its key's UTF-8 bytes, like a top-level attribute name.

The guide gives no rule for sets (SS, NS, BS). This module counts the sum of the element sizes,
each sized as the scalar above, with no overhead for the set itself.

The Constraints page of the same guide sets the item size limit at 400 KB, where 1 KB is 1024
bytes. The 100 bytes per item that DynamoDB adds for storage billing are not part of the size
that the limit checks, and are not counted here.

>>> item_size({"shirt": {"S": "red"}, "price": {"N": "12.5"}})
16
"""

from __future__ import annotations

import base64
import decimal
from collections.abc import Mapping
from typing import Any

MAX_ITEM_SIZE = 400 * 1024

_LIST_OR_MAP_OVERHEAD = 3
_ELEMENT_OVERHEAD = 1


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Return the size in bytes of an item in the low-level client's AttributeValue form.

    >>> item_size({"id": {"S": "a1"}, "done": {"BOOL": True}})
    9
    """
    return sum(_name_size(name) + attribute_value_size(value) for name, value in item.items())


def attribute_value_size(attribute_value: Mapping[str, Any]) -> int:
    """Return the size in bytes of one AttributeValue, without the name of its attribute.

    >>> attribute_value_size({"L": [{"S": "ab"}, {"NULL": True}]})
    8
    """
    if len(attribute_value) != 1:
        raise ValueError(
            f"an AttributeValue has exactly one type key, got {sorted(attribute_value)}"
        )
    [(code, stored)] = attribute_value.items()

    if code == "S":
        return len(stored.encode("utf-8"))
    if code == "N":
        return _number_size(stored)
    if code == "B":
        return _binary_size(stored)
    if code in ("NULL", "BOOL"):
        return 1

    if code == "L":
        elements = [attribute_value_size(element) for element in stored]
        return _LIST_OR_MAP_OVERHEAD + sum(size + _ELEMENT_OVERHEAD for size in elements)
    if code == "M":
        fields = [_name_size(key) + attribute_value_size(value) for key, value in stored.items()]
        return _LIST_OR_MAP_OVERHEAD + sum(size + _ELEMENT_OVERHEAD for size in fields)

    # NOTE: the guide gives no rule for sets, so their size is an estimate.
    if code == "SS":
        return sum(len(element.encode("utf-8")) for element in stored)
    if code == "NS":
        return sum(_number_size(element) for element in stored)
    if code == "BS":
        return sum(_binary_size(element) for element in stored)
    raise ValueError(f"unknown AttributeValue type {code!r}")


def _name_size(name: str) -> int:
    return len(name.encode("utf-8"))


def _number_size(text: str) -> int:
    """Return the guide's estimate: one byte per two significant digits, plus one byte."""
    # NOTE: the guide calls this rule approximate and does not say how an odd digit counts, so
    # rounding half a byte up is a guess.
    digits = "".join(map(str, decimal.Decimal(text).as_tuple().digits)).strip("0")
    return (len(digits) + 1) // 2 + 1


def _binary_size(stored: bytes | bytearray | str) -> int:
    # The low-level client takes raw bytes. Base64 text, as in DynamoDB's JSON wire format, is
    # decoded so that the raw length is counted either way.
    if isinstance(stored, str):
        return len(base64.b64decode(stored, validate=True))
    return len(stored)
