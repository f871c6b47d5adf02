"""Item sizes, checked against the rules of DynamoDB's documentation.

Unless a test's docstring names another page, the expected sizes apply the rules of "DynamoDB
item sizes and formats" in the Amazon DynamoDB Developer Guide:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloopfp.item_size import MAX_ITEM_SIZE, attribute_value_size, item_size


def test_strings_count_name_and_value_bytes() -> None:
    """A string is its attribute name's UTF-8 bytes plus its own UTF-8 bytes."""
    item = {"shirt-color": {"S": "R"}, "shirt-size": {"S": "M"}}

    assert item_size(item) == 11 + 1 + 10 + 1


def test_strings_count_utf8_bytes_not_characters() -> None:
    """Both the name and the value are measured in UTF-8 bytes."""
    item = {"café": {"S": "naïve"}}

    assert item_size(item) == 5 + 6


def test_empty_string_counts_only_name() -> None:
    assert item_size({"note": {"S": ""}}) == 4


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1", 2),
        ("12", 2),
        ("123", 3),
        ("-12345", 4),
        ("1.50", 2),
        ("0012300", 3),
        ("0.001", 2),
        ("1E+100", 2),
        ("0", 1),
        ("1" * 38, 20),
    ],
)
def test_numbers_count_two_digits_per_byte(text: str, size: int) -> None:
    """A number is about 1 byte per two significant digits plus 1 byte.

    Leading and trailing zeros are not significant, and an odd digit takes a whole byte.
    """
    assert item_size({"n": {"N": text}}) == 1 + size


def test_binary_counts_raw_bytes() -> None:
    """Binary values count their raw length, not the length of their base64 text."""
    assert item_size({"data": {"B": bytes(10)}}) == 4 + 10
    assert item_size({"data": {"B": "AAAA"}}) == 4 + 3


def test_null_and_boolean_take_one_byte() -> None:
    item = {"manager": {"NULL": True}, "active": {"BOOL": False}}

    assert item_size(item) == 7 + 1 + 6 + 1


def test_empty_list_and_map_take_three_bytes() -> None:
    assert item_size({"items": {"L": []}}) == 5 + 3
    assert item_size({"attrs": {"M": {}}}) == 5 + 3


def test_list_elements_take_one_byte_each() -> None:
    """A list is 3 bytes, plus each element's size, plus 1 byte per element."""
    item = {"scores": {"L": [{"S": "ab"}, {"N": "1"}, {"NULL": True}]}}

    assert item_size(item) == 6 + 3 + (2 + 1) + (2 + 1) + (1 + 1)


def test_map_elements_count_their_names() -> None:
    """A map element counts its key's bytes and its value, plus 1 byte of overhead."""
    item = {"address": {"M": {"city": {"S": "Oslo"}, "zip": {"N": "150"}}}}

    assert item_size(item) == 7 + 3 + (4 + 4 + 1) + (3 + 2 + 1)


def test_nested_documents_add_up() -> None:
    item = {"doc": {"M": {"tags": {"L": [{"M": {}}]}}}}

    inner_map = 3
    tags_list = 3 + inner_map + 1
    doc_map = 3 + (4 + tags_list + 1)
    assert item_size(item) == 3 + doc_map


def test_sets_sum_their_elements() -> None:
    """The guide gives no rule for sets, so item_size sums the element sizes."""
    item = {
        "names": {"SS": ["ab", "c"]},
        "ids": {"NS": ["1", "123"]},
        "blobs": {"BS": [b"xyz"]},
    }

    assert item_size(item) == (5 + 2 + 1) + (3 + 2 + 3) + (5 + 3)


def test_max_item_size_is_400_kib() -> None:
    """The Constraints page sets the item limit at 400 KB, where 1 KB is 1024 bytes."""
    assert MAX_ITEM_SIZE == 409_600
    assert item_size({"pk": {"S": "x" * (MAX_ITEM_SIZE - 2)}}) == MAX_ITEM_SIZE


def test_empty_item_is_zero() -> None:
    assert item_size({}) == 0


@pytest.mark.parametrize(
    "attribute_value",
    [{}, {"S": "a", "N": "1"}, {"X": "1"}],
    ids=["no type", "two types", "unknown type"],
)
def test_malformed_attribute_value_raises(attribute_value: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="AttributeValue"):
        attribute_value_size(attribute_value)


@given(names=st.dictionaries(st.text(min_size=1), st.text()))
def test_string_items_are_utf8_length(names: dict[str, str]) -> None:
    item = {name: {"S": value} for name, value in names.items()}

    expected = sum(len(name.encode()) + len(value.encode()) for name, value in names.items())
    assert item_size(item) == expected


def test_item_size_does_not_mutate_item() -> None:
    item = {"l": {"L": [{"S": "a"}]}, "m": {"M": {"k": {"N": "1"}}}}
    before = repr(item)

    item_size(item)

    assert repr(item) == before
