"""Limits that every item must meet before it is stored: size, nesting depth and attribute names.

PutItem, BatchWriteItem and the Put of TransactWriteItems check the item of the request. UpdateItem
and the Update of TransactWriteItems check the item that the update would store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.errors import invalid, invalid_parameters
from bloopfp.executors.memory.values import check_item_size, type_of

# "Constraints in Amazon DynamoDB" states that DynamoDB supports nested attributes up to 32 levels
# deep, without saying how levels are counted. This module counts every value as one level: a
# top-level scalar is 1 level deep, a top-level map that contains a scalar is 2, and an empty map
# or list is 1. So a scalar inside 31 nested maps (32 levels) is accepted and a scalar inside 32
# (33 levels) is rejected.
# NOTE: This reading follows what two DynamoDB emulators (Dynoxide and ExtendDB) report having
# observed on DynamoDB in 2026: 31 nested maps around a scalar accepted, 32 rejected. The depth of
# an empty map or list at the limit was not reported.
MAX_NESTING_DEPTH = 32


def check_item_limits(item: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise a ValidationException when an item breaks a limit on stored items."""
    check_attribute_names(item)
    check_nesting_depth(item)
    check_item_size(item)


def check_nesting_depth(item: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise a ValidationException when an attribute is nested more than 32 levels deep."""
    for name, value in item.items():
        depth = nesting_depth(value)
        if depth > MAX_NESTING_DEPTH:
            # The first sentence is the message that the TransactWriteItems API reference lists.
            raise invalid(
                "Nesting Levels have exceeded supported limits: attribute "
                f"{name} is nested {depth} levels deep, and DynamoDB supports up to "
                f"{MAX_NESTING_DEPTH}"
            )


def nesting_depth(value: Mapping[str, Any]) -> int:
    """Return the number of levels in a value: 1 for a scalar, a set or an empty map or list.

    >>> nesting_depth({"S": "x"}), nesting_depth({"M": {}})
    (1, 1)
    >>> nesting_depth({"L": [{"M": {"a": {"N": "1"}}}]})
    3
    """
    kind = type_of(value)
    if kind == "M":
        children = list(value["M"].values())
    elif kind == "L":
        children = list(value["L"])
    else:
        return 1
    return 1 + max((nesting_depth(child) for child in children), default=0)


def check_attribute_names(item: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise a ValidationException when an attribute name or a map key is the empty string.

    "Supported data types and naming rules in Amazon DynamoDB" requires attribute names of at
    least one character. The Developer Guide calls the entries of a map nested attributes and
    names no exception for them, so map keys are held to the same rule.
    """
    # NOTE: No page states in so many words whether DynamoDB rejects an empty map key. The check
    # of map keys is this module's reading of the naming rule, not observed DynamoDB behaviour.
    for name, value in item.items():
        if name == "":
            raise invalid_parameters(
                "An attribute name is empty. Attribute names must be at least 1 character long"
            )
        _check_map_keys(value, name)


def _check_map_keys(value: Mapping[str, Any], path: str) -> None:
    kind = type_of(value)
    if kind == "L":
        for index, element in enumerate(value["L"]):
            _check_map_keys(element, f"{path}[{index}]")
    if kind != "M":
        return
    for key, element in value["M"].items():
        if key == "":
            raise invalid_parameters(
                f"The map at {path} has an empty key. Attribute names, including the keys of "
                "maps, must be at least 1 character long"
            )
        _check_map_keys(element, f"{path}.{key}")
