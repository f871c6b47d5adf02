"""Evaluation of parsed conditions and projections against stored items.

Semantics follow DynamoDB's: a comparison that involves a missing attribute, or two values of
different types, is false, except `<>`, which is then true. Strings order by their UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.nodes import (
    And,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Not,
    Operand,
    Or,
    Path,
    Size,
    Value,
)
from bloopfp.executors.memory.values import (
    SET_TYPES,
    AttributeValue,
    Item,
    clone,
    is_ordered_pair,
    sort_key,
    type_of,
    values_equal,
)


def resolve(item: Mapping[str, Any], path: Path) -> AttributeValue | None:
    """Return the value at `path` in `item`, or None when any step of the path is missing."""
    first = path.elements[0]
    assert isinstance(first, str)
    value: AttributeValue | None = item.get(first)
    for element in path.elements[1:]:
        if value is None:
            return None
        value = child(value, element)
    return value


def child(value: Mapping[str, Any], element: str | int) -> AttributeValue | None:
    """Return the map entry or list element that `element` names, or None when there is none."""
    if isinstance(element, str):
        members = value.get("M")
        return None if members is None else members.get(element)
    elements = value.get("L")
    if elements is None or element >= len(elements):
        return None
    result: AttributeValue = elements[element]
    return result


def operand_value(item: Mapping[str, Any], operand: Operand) -> AttributeValue | None:
    """Return the value of a condition operand, or None when it refers to a missing attribute."""
    if isinstance(operand, Value):
        return operand.value
    if isinstance(operand, Path):
        return resolve(item, operand)
    if isinstance(operand, Size):
        return size_of(resolve(item, operand.path))
    raise TypeError(f"{type(operand).__name__} is not a condition operand")


def size_of(value: Mapping[str, Any] | None) -> AttributeValue | None:
    """Return size() of a value: UTF-16 code units of S, bytes of B, members of sets, L and M.

    Other types have no size, so a comparison against it is false. bloopfp.oracle counts the
    same way, and the reason for UTF-16 is given there.
    """
    if value is None:
        return None
    kind = type_of(value)
    member = value[kind]
    if kind == "S":
        length = len(member.encode("utf-16-le")) // 2
    elif kind in ("B", "L", "M") or kind in SET_TYPES:
        length = len(member)
    else:
        return None
    return {"N": str(length)}


def evaluate(condition: Condition, item: Mapping[str, Any]) -> bool:
    """Return whether `condition` is true for `item`. An empty mapping is a missing item."""
    if isinstance(condition, And):
        return evaluate(condition.left, item) and evaluate(condition.right, item)
    if isinstance(condition, Or):
        return evaluate(condition.left, item) or evaluate(condition.right, item)
    if isinstance(condition, Not):
        return not evaluate(condition.condition, item)
    if isinstance(condition, Comparison):
        left = operand_value(item, condition.left)
        right = operand_value(item, condition.right)
        return compare(condition.operator, left, right)
    if isinstance(condition, Between):
        value = operand_value(item, condition.operand)
        low = operand_value(item, condition.low)
        high = operand_value(item, condition.high)
        return compare(">=", value, low) and compare("<=", value, high)
    if isinstance(condition, In):
        value = operand_value(item, condition.operand)
        return any(compare("=", value, operand_value(item, option)) for option in condition.options)
    return evaluate_function(condition, item)


def compare(operator: str, left: AttributeValue | None, right: AttributeValue | None) -> bool:
    """Apply a comparator to two values, either of which may be missing (None)."""
    if left is None or right is None:
        return operator == "<>"
    if operator == "=":
        return values_equal(left, right)
    if operator == "<>":
        return not values_equal(left, right)
    if not is_ordered_pair(left, right):
        return False
    a, b = sort_key(left), sort_key(right)
    if operator == "<":
        return a < b  # type: ignore[operator]
    if operator == "<=":
        return a <= b  # type: ignore[operator]
    if operator == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def evaluate_function(function: Function, item: Mapping[str, Any]) -> bool:
    """Evaluate attribute_exists, attribute_not_exists, attribute_type, begins_with or contains."""
    values = [operand_value(item, argument) for argument in function.arguments]
    first = values[0]
    if function.name == "attribute_exists":
        return first is not None
    if function.name == "attribute_not_exists":
        return first is None
    second = values[1]
    if first is None or second is None:
        return False
    if function.name == "attribute_type":
        return bool(type_of(first) == second["S"])
    if function.name == "begins_with":
        return begins_with(first, second)
    return contains(first, second)


def begins_with(value: AttributeValue, prefix: AttributeValue) -> bool:
    """Return whether an S or B value starts with a prefix of the same type."""
    kind = type_of(value)
    if kind not in ("S", "B") or kind != type_of(prefix):
        return False
    return bool(value[kind].startswith(prefix[kind]))


def contains(value: AttributeValue, operand: AttributeValue) -> bool:
    """Return whether a string or binary contains a substring, or a set or list an element."""
    kind = type_of(value)
    operand_kind = type_of(operand)
    if kind in ("S", "B"):
        return kind == operand_kind and bool(operand[kind] in value[kind])
    if kind in SET_TYPES:
        return SET_TYPES[kind] == operand_kind and operand[operand_kind] in value[kind]
    if kind == "L":
        return any(values_equal(element, operand) for element in value["L"])
    return False


def project(item: Mapping[str, Any], paths: tuple[Path, ...]) -> Item:
    """Return a copy of `item` that contains only the values at `paths`, keeping their nesting.

    Projected list elements keep their relative order, so "a[3], a[1]" yields a two-element list.
    """
    result: dict[str, Any] = {}
    for path in paths:
        value = resolve(item, path)
        if value is not None:
            _insert(result, item, path.elements, value)
    return {name: _finish(value) for name, value in result.items()}


def _insert(
    target: dict[Any, Any], source: Mapping[Any, Any], elements: tuple[Any, ...], value: Any
) -> None:
    # Sparse lists are built as {"L": {index: value}} and turned into lists by _finish.
    head, rest = elements[0], elements[1:]
    if not rest:
        target[head] = clone(value)
        return
    source_child = source[head]
    kind = type_of(source_child)
    node = target.setdefault(head, {kind: {}})
    _insert(node[kind], source_child[kind], rest, value)


def _finish(value: AttributeValue) -> AttributeValue:
    kind = type_of(value)
    if kind == "L" and isinstance(value["L"], dict):
        return {"L": [_finish(value["L"][index]) for index in sorted(value["L"])]}
    if kind == "M":
        return {"M": {name: _finish(element) for name, element in value["M"].items()}}
    return value
