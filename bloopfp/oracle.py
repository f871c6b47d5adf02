"""A pure Python evaluation of conditions and updates against one item, with DynamoDB's semantics.

Items are low-level AttributeValue dicts, as the client sends and receives them. Tests compare
these results with what an executor does with the compiled expressions, and the results never
depend on the request's placeholders.

Rules, from "Condition and filter expressions, operators, and functions" and "Update expressions"
of the DynamoDB Developer Guide:

- A comparison with an absent attribute is false, except `<>`, which is true.
- Values of different types are unequal, and `<`, `<=`, `>`, `>=` and BETWEEN between them are
  false. Ordering applies to S (by UTF-8 bytes), N (numerically) and B (by bytes) only.
- `size` is the length of S in UTF-16 code units, the byte count of B, and the element count of a
  set, list or map. For other types and absent attributes it has no value.

NOTE: The guide states only that size() returns "the length of the string". The count in UTF-16
code units, which MemoryExecutor shares, follows the ExtendDB emulator's maintainers, who report
checking it against DynamoDB in 2026: size() of "é𝄞" is 3 there, where UTF-8 bytes give 6 and
code points 2. No AWS page confirms it. Whether `a <> b` holds when both paths are absent is not
documented either, and this module returns true. Moto 5 agrees with neither.
- SET values are computed from the item as it was before the update. Then the actions apply in
  the order SET, REMOVE, ADD, DELETE.

>>> from bloopfp.conditions import eq, ne
>>> from bloopfp.paths import path
>>> evaluate(eq(path("a"), 1), {"a": {"N": "1.0"}})
True
>>> evaluate(ne(path("missing"), 1), {})
True
"""

from __future__ import annotations

import copy
import decimal
from collections.abc import Mapping
from typing import Any

from bloopfp.conditions import (
    Always,
    And,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Not,
    Or,
)
from bloopfp.errors import BloopfpError, InvalidValue
from bloopfp.paths import Operand, Path, Segment, Size, Value
from bloopfp.types import AttributeValue, dump_number
from bloopfp.updates import (
    AddAction,
    Arithmetic,
    DeleteAction,
    IfNotExists,
    ListAppend,
    RemoveAction,
    SetAction,
    SetValue,
    Update,
)

Item = dict[str, AttributeValue]

_SET_CODES = ("SS", "NS", "BS")

# Arithmetic keeps DynamoDB's 38 significant digits.
_NUMBER_CONTEXT = decimal.Context(prec=38)


class UpdateRejected(BloopfpError, ValueError):
    """An update that DynamoDB would reject for this item with a ValidationException."""


# Reading items.


def resolve(item: Mapping[str, AttributeValue], segments: tuple[Segment, ...]) -> Any:
    """Return the AttributeValue at a document path, or None when it is absent."""
    current: Any = {"M": item}
    for segment in segments:
        if isinstance(segment, str):
            current = current.get("M", {}).get(segment) if "M" in current else None
        else:
            elements = current.get("L") if "L" in current else None
            current = (
                elements[segment] if elements is not None and segment < len(elements) else None
            )
        if current is None:
            return None
    return current


def _operand(node: Operand, item: Mapping[str, AttributeValue]) -> AttributeValue | None:
    if isinstance(node, Path):
        found: AttributeValue | None = resolve(item, node.segments)
        return found
    if isinstance(node, Size):
        return _size(resolve(item, node.path.segments))
    return node.type.dump(node.value)


def _size(value: AttributeValue | None) -> AttributeValue | None:
    if value is None:
        return None
    [(code, stored)] = value.items()
    if code == "S":
        count = len(stored.encode("utf-16-le")) // 2
    elif code in ("B", "L", "M", *_SET_CODES):
        count = len(stored)
    else:
        return None
    return {"N": str(count)}


# Comparing values.


def equal(left: AttributeValue | None, right: AttributeValue | None) -> bool:
    """Return whether two AttributeValues are equal in DynamoDB, with numbers by value."""
    if left is None or right is None:
        return False
    [(code, a)] = left.items()
    [(other, b)] = right.items()
    if code != other:
        return False
    if code == "N":
        return decimal.Decimal(a) == decimal.Decimal(b)
    if code == "B":
        return bytes(a) == bytes(b)
    if code in _SET_CODES:
        return _set_keys(code, a) == _set_keys(code, b)
    if code == "L":
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if code == "M":
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _set_keys(code: str, elements: list[Any]) -> frozenset[Any]:
    if code == "NS":
        return frozenset(decimal.Decimal(e) for e in elements)
    if code == "BS":
        return frozenset(bytes(e) for e in elements)
    return frozenset(elements)


def _order_key(value: AttributeValue | None) -> tuple[str, Any] | None:
    """Return a sortable key for S, N and B values, or None for values that have no order."""
    if value is None:
        return None
    [(code, stored)] = value.items()
    if code == "S":
        return code, stored.encode("utf-8")
    if code == "N":
        return code, decimal.Decimal(stored)
    if code == "B":
        return code, bytes(stored)
    return None


def compare(operator: str, left: AttributeValue | None, right: AttributeValue | None) -> bool:
    """Apply one of = <> < <= > >= to two AttributeValues (None for an absent attribute)."""
    if operator == "=":
        return equal(left, right)
    if operator == "<>":
        return not equal(left, right)
    a, b = _order_key(left), _order_key(right)
    if a is None or b is None or a[0] != b[0]:
        return False
    if operator == "<":
        return bool(a[1] < b[1])
    if operator == "<=":
        return bool(a[1] <= b[1])
    if operator == ">":
        return bool(a[1] > b[1])
    return bool(a[1] >= b[1])


# Conditions.


def evaluate(condition: Condition, item: Mapping[str, AttributeValue]) -> bool:
    """Return whether `condition` holds for `item`; the empty condition always holds."""
    if isinstance(condition, Always):
        return True
    if isinstance(condition, And):
        return all(evaluate(c, item) for c in condition.conditions)
    if isinstance(condition, Or):
        return any(evaluate(c, item) for c in condition.conditions)
    if isinstance(condition, Not):
        return not evaluate(condition.condition, item)
    if isinstance(condition, Comparison):
        return compare(
            condition.operator, _operand(condition.left, item), _operand(condition.right, item)
        )
    if isinstance(condition, Between):
        subject = _operand(condition.operand, item)
        low, high = _operand(condition.low, item), _operand(condition.high, item)
        return compare(">=", subject, low) and compare("<=", subject, high)
    if isinstance(condition, In):
        subject = _operand(condition.operand, item)
        return any(equal(subject, _operand(value, item)) for value in condition.values)
    if isinstance(condition, Function):
        return _function(condition, item)
    raise TypeError(f"no evaluation rule for condition node {type(condition).__name__}")


def _function(node: Function, item: Mapping[str, AttributeValue]) -> bool:
    subject = resolve(item, node.path.segments)
    if node.name == "attribute_exists":
        return subject is not None
    if node.name == "attribute_not_exists":
        return subject is None
    assert node.argument is not None
    argument = _operand(node.argument, item)
    if subject is None or argument is None:
        return False
    [(code, stored)] = subject.items()
    [(argument_code, wanted)] = argument.items()
    if node.name == "attribute_type":
        return bool(code == wanted)
    if node.name == "begins_with":
        if code != argument_code or code not in ("S", "B"):
            return False
        return bool(stored.startswith(wanted)) if code == "S" else bytes(stored).startswith(wanted)
    return _contains(code, stored, argument)


def _contains(code: str, stored: Any, argument: AttributeValue) -> bool:
    [(argument_code, wanted)] = argument.items()
    if code == "S":
        return argument_code == "S" and wanted in stored
    if code == "B":
        return argument_code == "B" and bytes(wanted) in bytes(stored)
    if code in _SET_CODES:
        return code[0] == argument_code and _set_keys(code, [wanted]) <= _set_keys(code, stored)
    if code == "L":
        return any(equal(element, argument) for element in stored)
    return False


# Updates.


def apply(update: Update, item: Mapping[str, AttributeValue]) -> Item:
    """Return a new item with `update` applied; `item` itself is left unchanged.

    Raises UpdateRejected where DynamoDB rejects the update for this item, for example when a
    SET reads an absent attribute or adds to a value that is not a number.
    """
    result: Item = copy.deepcopy(dict(item))
    sets = [(a.path, _set_value(a.value, item)) for a in update.actions if isinstance(a, SetAction)]
    for target, value in sets:
        _assign(result, target, value)
    removes = [a.path for a in update.actions if isinstance(a, RemoveAction)]
    for target in sorted(removes, key=_removal_order):
        _remove(result, target)
    for action in update.actions:
        if isinstance(action, AddAction):
            _add(result, action)
        elif isinstance(action, DeleteAction):
            _delete(result, action)
    return result


# NOTE: An update that both SETs an index past the end of a list and REMOVEs elements of the same
# list is applied SET first here. DynamoDB's documentation does not give the order.
def _removal_order(target: Path) -> tuple[int, ...]:
    # Remove later list elements first, so that earlier indexes still name the same elements.
    last = target.segments[-1]
    return (-last,) if isinstance(last, int) else (0,)


def _set_value(node: SetValue, item: Mapping[str, AttributeValue]) -> AttributeValue:
    if isinstance(node, Path):
        found = resolve(item, node.segments)
        if found is None:
            raise UpdateRejected(
                "The provided expression refers to an attribute that does not exist in the item"
            )
        return copy.deepcopy(dict(found))
    if isinstance(node, Value):
        dumped = node.type.dump(node.value)
        assert dumped is not None  # builders reject values that dump to nothing
        return dumped
    if isinstance(node, IfNotExists):
        found = resolve(item, node.path.segments)
        return copy.deepcopy(dict(found)) if found is not None else _set_value(node.default, item)
    if isinstance(node, ListAppend):
        first, second = _set_value(node.first, item), _set_value(node.second, item)
        if "L" not in first or "L" not in second:
            raise UpdateRejected("Incorrect operand type for operator or function: list_append")
        return {"L": first["L"] + second["L"]}
    return _arithmetic(node, item)


def _arithmetic(node: Arithmetic, item: Mapping[str, AttributeValue]) -> AttributeValue:
    left, right = _set_value(node.left, item), _set_value(node.right, item)
    if "N" not in left or "N" not in right:
        raise UpdateRejected(f"Incorrect operand type for operator or function: {node.operator}")
    a, b = decimal.Decimal(left["N"]), decimal.Decimal(right["N"])
    result = _NUMBER_CONTEXT.add(a, b) if node.operator == "+" else _NUMBER_CONTEXT.subtract(a, b)
    return {"N": _number_text(result)}


def _number_text(number: decimal.Decimal) -> str:
    try:
        return dump_number(number.normalize(_NUMBER_CONTEXT))
    except InvalidValue as error:
        raise UpdateRejected(f"Number overflow: {error.reason}") from None


def _parent(item: Item, target: Path) -> AttributeValue:
    """Return the map or list that contains the last segment of `target`.

    Every action rejects a nested path whose parent is absent or is not a map (for a name) or a
    list (for an index).
    """
    if len(target.segments) == 1:
        return {"M": item}
    parent: AttributeValue | None = resolve(item, target.segments[:-1])
    container = "L" if isinstance(target.segments[-1], int) else "M"
    if parent is None or container not in parent:
        raise UpdateRejected(
            "The document path provided in the update expression is invalid for update"
        )
    return parent


def _assign(item: Item, target: Path, value: AttributeValue) -> None:
    parent = _parent(item, target)
    last = target.segments[-1]
    if isinstance(last, str):
        parent["M"][last] = value
        return
    elements = parent["L"]
    if last < len(elements):
        elements[last] = value
    else:
        elements.append(value)


def _remove(item: Item, target: Path) -> None:
    parent = _parent(item, target)
    last = target.segments[-1]
    if isinstance(last, str):
        parent["M"].pop(last, None)
    elif last < len(parent["L"]):
        del parent["L"][last]


def _add(item: Item, action: AddAction) -> None:
    value = action.value.type.dump(action.value.value)
    assert value is not None
    _parent(item, action.path)
    current = resolve(item, action.path.segments)
    if current is None:
        _assign(item, action.path, value)
        return
    [(code, stored)] = current.items()
    [(value_code, addend)] = value.items()
    if code != value_code or code not in ("N", *_SET_CODES):
        raise UpdateRejected("An operand in the update expression has an incorrect data type")
    if code == "N":
        total = _NUMBER_CONTEXT.add(decimal.Decimal(stored), decimal.Decimal(addend))
        _assign(item, action.path, {"N": _number_text(total)})
        return
    merged = stored + [e for e in addend if not _set_keys(code, [e]) <= _set_keys(code, stored)]
    _assign(item, action.path, {code: merged})


def _delete(item: Item, action: DeleteAction) -> None:
    value = action.value.type.dump(action.value.value)
    assert value is not None
    _parent(item, action.path)
    current = resolve(item, action.path.segments)
    if current is None:
        return
    [(code, stored)] = current.items()
    [(value_code, removed)] = value.items()
    if code != value_code:
        raise UpdateRejected("An operand in the update expression has an incorrect data type")
    unwanted = _set_keys(code, removed)
    kept = [e for e in stored if not _set_keys(code, [e]) <= unwanted]
    if kept:
        _assign(item, action.path, {code: kept})
    else:
        _remove(item, action.path)
